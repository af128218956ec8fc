import { http, HttpResponse } from 'msw';

/**
 * Google's token endpoint and the Classroom API at the network edge, for the client-layer tests.
 * `script` answers queued per path prefix are served first (faults), then the normal data.
 */
export const GOOGLE_TEST_OAUTH = 'https://oauth.google.test';
export const GOOGLE_TEST_API = 'https://classroom.google.test/';

export interface GoogleMockState {
  courses: { id: string; name: string; section?: string; courseState: string; ownerId: string }[];
  students: Record<
    string,
    { userId: string; profile: { id: string; name: { givenName: string; familyName: string; fullName: string }; emailAddress?: string } }[]
  >;
  pageMax: number;
  /** Answers to give first, per path prefix (e.g. '/v1/courses'), as [status, body, headers]. */
  script: { prefix: string; status: number; body: unknown; headers?: Record<string, string> }[];
  tokenAnswer: { status: number; body: unknown } | null;
  requests: { method: string; path: string; query: Record<string, string[]> }[];
}

export function googleMockState(): GoogleMockState {
  return { courses: [], students: {}, pageMax: 1000, script: [], tokenAnswer: null, requests: [] };
}

function page<T>(items: T[], url: URL, max: number): { slice: T[]; next?: string } {
  const size = Math.min(Number(url.searchParams.get('pageSize') ?? 30) || 30, max);
  const offset = Number(url.searchParams.get('pageToken') ?? 0);
  const slice = items.slice(offset, offset + size);
  return offset + size < items.length ? { slice, next: String(offset + size) } : { slice };
}

export function googleHandlers(state: GoogleMockState) {
  const record = (request: Request) => {
    const url = new URL(request.url);
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] ??= [];
      query[k].push(v);
    }
    state.requests.push({ method: request.method, path: url.pathname, query });
    return url;
  };
  const scripted = (path: string) => {
    const i = state.script.findIndex((s) => path.startsWith(s.prefix));
    if (i < 0) return null;
    const [s] = state.script.splice(i, 1);
    return HttpResponse.json(s!.body as object, { status: s!.status, headers: s!.headers ?? {} });
  };
  return [
    http.post(`${GOOGLE_TEST_OAUTH}/token`, ({ request }) => {
      record(request);
      if (state.tokenAnswer) return HttpResponse.json(state.tokenAnswer.body as object, { status: state.tokenAnswer.status });
      return HttpResponse.json({ access_token: 'ya29.test-access', expires_in: 3599, token_type: 'Bearer', scope: 'openid' });
    }),
    http.get(`${GOOGLE_TEST_API}v1/courses`, ({ request }) => {
      const url = record(request);
      const fault = scripted(url.pathname);
      if (fault) return fault;
      const states = url.searchParams.getAll('courseStates');
      const list = state.courses.filter((c) => !states.length || states.includes(c.courseState));
      const { slice, next } = page(list, url, state.pageMax);
      return HttpResponse.json({ courses: slice, ...(next ? { nextPageToken: next } : {}) });
    }),
    http.get(`${GOOGLE_TEST_API}v1/courses/:id/students`, ({ request, params }) => {
      const url = record(request);
      const fault = scripted(url.pathname);
      if (fault) return fault;
      const { slice, next } = page(state.students[String(params.id)] ?? [], url, state.pageMax);
      return HttpResponse.json({ students: slice, ...(next ? { nextPageToken: next } : {}) });
    }),
  ];
}

export function student(id: string, given: string, family: string, email?: string) {
  return {
    userId: id,
    profile: {
      id,
      name: { givenName: given, familyName: family, fullName: `${given} ${family}` },
      ...(email ? { emailAddress: email } : {}),
    },
  };
}
