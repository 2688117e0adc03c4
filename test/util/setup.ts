// Loaded by mocha before every test file (.mocharc.json): the tests run what ships, so
// bin/qrgate.js must run the build (make build), never fall back to the sources (bin/qrgate.js).
process.env.QRGATE_BUILD = 'required';
