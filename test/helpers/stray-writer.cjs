// Loaded into the app by the terminal tests (NODE_OPTIONS=--require): output
// that is not the app's, the kinds a library or Node itself produce, every
// 300 ms from a second after start, and one line on stderr at exit. While
// the app owns the screen none of it may reach the terminal.
'use strict';
let n = 0;
setTimeout(() => {
  setInterval(() => {
    n++;
    process.emitWarning(`stray warning ${n}`, 'StrayTestWarning');
    console.error(`stray console.error ${n}`);
    console.log(`stray console.log ${n}`);
    process.stderr.write(`stray stderr ${n}\n`);
  }, 300).unref();
}, 1000).unref();
process.on('exit', () => process.stderr.write('STRAY-AT-EXIT\n'));
