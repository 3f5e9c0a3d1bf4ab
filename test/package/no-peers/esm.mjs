import * as main from 'flanks-sdk';
import * as otel from 'flanks-sdk/otel';
import * as postgres from 'flanks-sdk/stores/postgres';
import * as testing from 'flanks-sdk/testing';
import * as redis from 'flanks-sdk/token-cache/redis';
import { check } from './checks.cjs';

await check('ESM', { main, testing, postgres, redis, otel });
