/** An organization with an agent answering one phone number, created through the REST API. */
export interface Tenant {
  token: string;
  organizationId: string;
  agentId: string;
  number: string;
}

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

let sequence = 0;

export async function seedTenant(
  baseUrl: string,
  agent: Record<string, unknown> = {},
): Promise<Tenant> {
  sequence += 1;
  const stamp = `${process.pid}${Date.now() % 100000}${sequence}`;
  const { accessToken } = await post<{ accessToken: string }>(`${baseUrl}/api/v1/auth/register`, {
    organizationName: `Bench ${stamp}`,
    email: `bench-${stamp}@example.test`,
    password: 'a long benchmark passphrase',
  });
  const me = (await (
    await fetch(`${baseUrl}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    })
  ).json()) as { organization: { id: string } };
  const created = await post<{ id: string }>(
    `${baseUrl}/api/v1/agents`,
    { name: 'Bench agent', firstMessage: '', maxTurns: 200, ...agent },
    accessToken,
  );
  const number = `+1415${stamp.slice(-7).padStart(7, '0')}`;
  await post(`${baseUrl}/api/v1/phone-numbers`, { e164: number, agentId: created.id }, accessToken);
  return { token: accessToken, organizationId: me.organization.id, agentId: created.id, number };
}
