// Sample server of the NodeServer preset.
//
//   node server.js              serve on :$PORT (default 3000)
//   node server.js --selftest   serve on a free loopback port, GET / once, print the answer, exit 0 or 1
'use strict';
const http = require('node:http');
const os = require('node:os');

// greeting is the line the benchmarks edit for a warm rebuild.
const greeting = 'hello from the node-server preset';

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`${greeting} (node ${process.version}, user ${os.userInfo().username}, NODE_ENV=${process.env.NODE_ENV})\n`);
});

if (process.argv.includes('--selftest')) {
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    http.get(`http://127.0.0.1:${port}/`, (res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => {
        process.stdout.write(`selftest: ${res.statusCode} ${body}`);
        server.close();
        process.exitCode = res.statusCode === 200 ? 0 : 1;
      });
    }).on('error', (err) => { console.error(err); process.exit(1); });
  });
} else {
  const port = Number(process.env.PORT || 3000);
  server.listen(port, () => console.log(`listening on :${port}`));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
}
