const { check } = require('./checks.cjs');

check('CommonJS', {
  main: require('flanks-sdk'),
  testing: require('flanks-sdk/testing'),
  postgres: require('flanks-sdk/stores/postgres'),
  redis: require('flanks-sdk/token-cache/redis'),
  otel: require('flanks-sdk/otel'),
}).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
