import type { TestProject } from 'vitest/node';
import { startPostgres, startRedis } from '../../examples/lib/services';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}

// One PostgreSQL and one Redis for the whole infrastructure suite; each test file isolates itself
// (its own schema, table or key prefix). The URLs also go into the environment for child processes.
export default async function setup(project: TestProject) {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  project.provide('postgresUrl', postgres.url);
  project.provide('redisUrl', redis.url);
  process.env.FLANKS_TEST_POSTGRES_URL = postgres.url;
  process.env.FLANKS_TEST_REDIS_URL = redis.url;
  return async () => {
    await Promise.all([postgres.stop(), redis.stop()]);
  };
}
