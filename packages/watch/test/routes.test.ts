import { Together } from 'together-ai';
import { describe, expect, it } from 'vitest';
import { memoryWatchState, pollTogetherJobs } from '../src/index.js';
import { receiver } from './helpers.js';

// Without a baseURL the requests go where Together's OpenAPI file says: `/v1`, and `/v2` for videos.
describe('the routes the watcher requests, with the client’s default base URL', () => {
  it('lists under https://api.together.ai/v1 and retrieves videos under /v2', async () => {
    const seen: string[] = [];
    const client = new Together({
      apiKey: 'key',
      baseURL: null,
      maxRetries: 0,
      fetch: (input) => {
        const url = String(input instanceof Request ? input.url : input);
        seen.push(url);
        const body = url.includes('/videos/') ? { id: 'v1', status: 'in_progress' } : url.includes('/batches') || url.includes('/evaluation') ? [] : { data: [] };
        return Promise.resolve(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));
      },
    });
    const { deliver } = receiver();
    await pollTogetherJobs({ client, deliver, state: memoryWatchState(), jobs: [{ resource: 'video', id: 'v1' }] });
    expect(seen).toEqual([
      'https://api.together.ai/v1/fine-tunes',
      'https://api.together.ai/v1/batches',
      'https://api.together.ai/v1/endpoints?type=dedicated',
      'https://api.together.ai/v1/evaluation',
      'https://api.together.ai/v1/jobs',
      'https://api.together.ai/v2/videos/v1',
    ]);
  });
});
