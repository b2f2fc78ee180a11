import { receivers } from '../../../lib/receivers';

// How many times a handler ran for an event: the table asks it across the process boundary.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return Response.json({ runs: receivers.handlerRuns(id) });
}
