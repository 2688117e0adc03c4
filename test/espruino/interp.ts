// Shared by the tests that run the real Espruino interpreter (ESPRUINO=/path/to/espruino).
import * as fs from 'fs';

/** A script that copies host files into Storage in 512-byte chunks (E.openFile: works in a small variable store). */
export function seedScript(files: { name: string; path: string }[]): string {
  const lines = ["var S=require('Storage');"];
  for (const f of files) {
    const size = fs.statSync(f.path).size;
    lines.push(`(function(){var f=E.openFile(${JSON.stringify(f.path)},'r'),o=0,c;` +
      `while(o<${size}){c=f.read(512);if(!c)break;if(o===0)S.write(${JSON.stringify(f.name)},c,0,${size});` +
      `else S.write(${JSON.stringify(f.name)},c,o);o+=c.length;}f.close();` +
      `if(o!==${size})throw new Error('short ${f.name}');print('@seeded ${f.name} '+o);})();`);
  }
  return lines.join('\n') + '\n';
}
