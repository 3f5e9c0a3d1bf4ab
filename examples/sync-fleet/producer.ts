import type { Queue } from 'bullmq';
import type { CredentialRecord } from 'flanks-sdk';
import { credentialKey, jobId, type SyncJob } from './shared';

/** A store that can walk every record: PostgresCredentialStore, or EncryptedCredentialStore over it. */
export interface ListingStore {
  list(options?: { batchSize?: number }): AsyncIterable<CredentialRecord>;
}

/**
 * Enqueues one job per stored credential for `runId`, in batches. Job ids are derived from the run
 * and the credential, so running the producer twice (a crash, a retry by cron) adds nothing new.
 * Jobs name the credential by user and hash; the token itself stays in the store.
 */
export async function enqueueRun(
  store: ListingStore,
  queue: Queue<SyncJob>,
  runId: string,
  batchSize = 500,
): Promise<number> {
  let batch: Array<{ name: string; data: SyncJob; opts: { jobId: string } }> = [];
  let total = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await queue.addBulk(batch);
    total += batch.length;
    batch = [];
  };
  for await (const record of store.list({ batchSize })) {
    const data = { userId: record.userId, credentialKey: credentialKey(record.credentialsToken) };
    batch.push({ name: 'sync', data, opts: { jobId: jobId(runId, data.credentialKey) } });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return total;
}
