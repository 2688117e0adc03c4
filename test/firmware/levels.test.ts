// firmware/levels.ts: capacity.levels parsed by hand (no RegExp on the device).
import { strict as assert } from 'assert';
import { parseLevels } from '../../firmware/levels';

describe('firmware/levels: capacity.levels', () => {
  it('LEVEL:MAX and LEVEL:SHARE% pairs; anything else is null', () => {
    assert.deepEqual(parseLevels('3:50%,4:10'), { 3: [50, 1], 4: [10, 0] });
    assert.deepEqual(parseLevels(' 1 : 100% '), { 1: [100, 1] });
    assert.deepEqual(parseLevels('9:0'), { 9: [0, 0] });
    for (const bad of ['', '3', '3:', ':5', '3:50%%', '0:5', '10:5', '3:x', '3:101%', '3:5,', 'a:1', '3:1234567', '3:-1']) {
      assert.equal(parseLevels(bad), null, bad);
    }
  });
});
