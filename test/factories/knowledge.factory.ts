import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { waitFor } from '../support/wait-for';
import type { Account } from './account.factory';

export const CLINIC_HANDBOOK = `# Acme Dental handbook

## Opening hours
We are open Monday to Friday from 8am to 6pm. On Saturdays we are open from 9am to 1pm. We are closed on Sundays and public holidays.

## Prices
A check-up costs 60 dollars. A cleaning costs 85 dollars. Teeth whitening costs 250 dollars per session.

## Cancellations
Appointments can be cancelled free of charge up to 24 hours in advance. Later cancellations cost 30 dollars.

## Parking
Free parking is available behind the clinic, entrance on Elm Street.
`;

export interface DocumentView {
  id: string;
  title: string;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  chunkCount: number;
  chunksEmbedded: number;
  error: string | null;
}

/** Adds a knowledge document through the API and waits until its ingestion has finished. */
export async function ingestDocument(
  app: NestFastifyApplication,
  owner: Account,
  document: { title?: string; content?: string; format?: 'text' | 'markdown' } = {},
): Promise<DocumentView> {
  const created = await request(app.getHttpServer())
    .post('/api/v1/knowledge/documents')
    .set('authorization', `Bearer ${owner.accessToken}`)
    .send({
      title: document.title ?? 'Clinic handbook',
      content: document.content ?? CLINIC_HANDBOOK,
      format: document.format ?? 'markdown',
    })
    .expect(202);
  return waitFor(
    async () =>
      (
        await request(app.getHttpServer())
          .get(`/api/v1/knowledge/documents/${created.body.id}`)
          .set('authorization', `Bearer ${owner.accessToken}`)
          .expect(200)
      ).body as DocumentView,
    (view) => view.status === 'ready' || view.status === 'failed',
    { timeoutMs: 20_000 },
  );
}
