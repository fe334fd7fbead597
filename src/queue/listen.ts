/**
 * Cross-process wake-up: LISTEN on the job channel over one dedicated PostgreSQL connection,
 * so idle workers in other processes start a job at once instead of at their next poll.
 * Losing the connection only costs latency: workers keep polling.
 */
import pg from 'pg';
import { JOB_CHANNEL } from './types.js';

export interface JobListener {
  close(): Promise<void>;
}

export async function listenForJobs(
  url: string,
  onJob: (kind: string) => void,
  onError: (err: Error) => void,
): Promise<JobListener> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', onError);
  client.on('notification', (message) => {
    if (message.channel === JOB_CHANNEL) onJob(message.payload ?? '*');
  });
  await client.connect();
  await client.query(`LISTEN ${JOB_CHANNEL}`);
  return { close: () => client.end() };
}
