// {{ header }}
// The Express app of container {{ name }}: answers `GET /` with its message behind nginx.
'use strict';

const express = require('express');

const MESSAGE = {{ message }};
const HOST = process.env.APP_HOST || '{{ app_host }}';
const PORT = Number.parseInt(process.env.APP_PORT || '{{ app_port }}', 10);
const GRACEFUL_TIMEOUT_MS = {{ graceful_timeout }} * 1000;

const app = express();
app.disable('x-powered-by');
// Trust X-Forwarded-* only from nginx on loopback.
app.set('trust proxy', 'loopback');

app.use((req, res, next) => {
  res.on('finish', () => {
    console.log(`${req.ip} "${req.method} ${req.originalUrl}" ${res.statusCode}`);
  });
  next();
});

app.get('/', (req, res) => {
  res.json({ message: MESSAGE });
});

app.get('/healthz', (req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(PORT, HOST, () => {
  console.log(`listening on http://${HOST}:${PORT}`);
});
// Longer than nginx's upstream keepalive_timeout (60 s): nginx closes idle connections
// first, so it never sends on one the app has closed.
server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;

function shutdown(signal) {
  console.log(`${signal} received, draining connections`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), GRACEFUL_TIMEOUT_MS).unref();
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
