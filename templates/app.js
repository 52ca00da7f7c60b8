// {{ header }}
// The Express app of container {{ name }}: answers `GET /` with its message behind nginx.
'use strict';

const express = require('express');

const MESSAGE = process.env.APP_MESSAGE ?? {{ message }};
const HOST = process.env.APP_HOST || '{{ app_host }}';
const PORT = Number.parseInt(process.env.APP_PORT || '{{ app_port }}', 10);
const GRACEFUL_TIMEOUT_MS = {{ graceful_timeout }} * 1000;
// uvicorn's levels, so both kinds of app take the same APP_LOG_LEVEL; `info` and `debug`
// log each request.
const LOG_LEVELS = ['critical', 'error', 'warning', 'info', 'debug'];
const LOG_LEVEL = process.env.APP_LOG_LEVEL || '{{ log_level }}';
if (!LOG_LEVELS.includes(LOG_LEVEL)) {
  console.error(`APP_LOG_LEVEL=${LOG_LEVEL}: expected one of ${LOG_LEVELS.join(', ')}`);
  process.exit(78);
}
const LOG_REQUESTS = LOG_LEVELS.indexOf(LOG_LEVEL) >= LOG_LEVELS.indexOf('info');

const app = express();
app.disable('x-powered-by');
// Trust X-Forwarded-* only from nginx on loopback.
app.set('trust proxy', 'loopback');

if (LOG_REQUESTS) {
  app.use((req, res, next) => {
    res.on('finish', () => {
      console.log(`${req.ip} "${req.method} ${req.originalUrl}" ${res.statusCode}`);
    });
    next();
  });
}

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
