import type { Sql } from '../../db/client.js';
import { SANDBOX_PAGE_MAX } from './data.js';

/**
 * The Classroom REST endpoints Rosterbridge calls, answered from the sandbox tables in Google's
 * JSON shapes: courses.list, courses.get, courses.students.list, userProfiles.get.
 */

export interface ApiAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function googleError(status: number, message: string, statusText: string, reason = 'forbidden'): ApiAnswer {
  return { status, body: { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: statusText } } };
}

/** A fault the sandbox was told to answer with, if any is in force. */
export async function activeFault(sql: Sql): Promise<ApiAnswer | null> {
  const [s] = await sql<{ fault_status: number | null; fault_until: string | null; api_disabled: boolean }[]>`
    select fault_status, fault_until, api_disabled from google_sandbox_settings where id = 1`;
  if (!s) return null;
  if (s.api_disabled) {
    return googleError(403, '@ClassroomApiDisabled The user is not permitted to access the Classroom API.', 'PERMISSION_DENIED');
  }
  if (s.fault_status && s.fault_until && new Date(s.fault_until).getTime() > Date.now()) {
    if (s.fault_status === 429) {
      return {
        ...googleError(429, "Quota exceeded for quota metric 'Requests'.", 'RESOURCE_EXHAUSTED', 'rateLimitExceeded'),
        headers: { 'retry-after': '1' },
      };
    }
    return googleError(
      s.fault_status,
      'The service is currently unavailable.',
      s.fault_status === 503 ? 'UNAVAILABLE' : 'INTERNAL',
      'backendError',
    );
  }
  return null;
}

export const unauthenticated = (): ApiAnswer =>
  googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'UNAUTHENTICATED', 'unauthorized');

function pageOf(pageToken: string | undefined, pageSize: string | undefined, max: number): { offset: number; limit: number } {
  const offset = pageToken && /^o\d+$/.test(pageToken) ? Number(pageToken.slice(1)) : 0;
  const asked = Number(pageSize);
  const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, max) : Math.min(30, max);
  return { offset, limit };
}

interface CourseRow {
  id: string;
  name: string;
  section: string | null;
  owner_id: string;
  course_state: string;
}

function courseJson(c: CourseRow) {
  return {
    id: c.id,
    name: c.name,
    ...(c.section ? { section: c.section } : {}),
    ownerId: c.owner_id,
    courseState: c.course_state,
    alternateLink: `https://classroom.google.com/c/${c.id}`,
  };
}

export async function listCourses(
  sql: Sql,
  userId: string,
  query: { teacherId?: string; courseStates?: string[]; pageSize?: string; pageToken?: string },
): Promise<ApiAnswer> {
  const teacher = query.teacherId === 'me' || !query.teacherId ? userId : query.teacherId;
  if (teacher !== userId) return googleError(403, 'The caller does not have permission', 'PERMISSION_DENIED');
  const states = query.courseStates?.length ? query.courseStates : ['ACTIVE', 'ARCHIVED', 'PROVISIONED', 'DECLINED', 'SUSPENDED'];
  const { offset, limit } = pageOf(query.pageToken, query.pageSize, SANDBOX_PAGE_MAX.courses);
  const rows = await sql<CourseRow[]>`
    select c.id, c.name, c.section, c.owner_id, c.course_state
    from google_sandbox_courses c
    join google_sandbox_enrolments e on e.course_id = c.id and e.role = 'TEACHER' and e.user_id = ${teacher}
    where c.course_state = any(${states}::text[])
    order by c.position, c.id
    offset ${offset} limit ${limit + 1}`;
  const more = rows.length > limit;
  return { status: 200, body: { courses: rows.slice(0, limit).map(courseJson), ...(more ? { nextPageToken: `o${offset + limit}` } : {}) } };
}

async function canSee(sql: Sql, userId: string, courseId: string): Promise<CourseRow | null> {
  const [row] = await sql<CourseRow[]>`
    select c.id, c.name, c.section, c.owner_id, c.course_state from google_sandbox_courses c
    where c.id = ${courseId} and exists (select 1 from google_sandbox_enrolments e where e.course_id = c.id and e.user_id = ${userId})`;
  return row ?? null;
}

export async function getCourse(sql: Sql, userId: string, courseId: string): Promise<ApiAnswer> {
  const course = await canSee(sql, userId, courseId);
  if (!course) return googleError(404, 'Requested entity was not found.', 'NOT_FOUND', 'notFound');
  return { status: 200, body: courseJson(course) };
}

interface StudentRow {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  email_hidden: boolean;
}

function profileJson(u: StudentRow) {
  return {
    id: u.id,
    name: { givenName: u.given_name, familyName: u.family_name, fullName: `${u.given_name} ${u.family_name}` },
    ...(u.email_hidden ? {} : { emailAddress: u.email }),
  };
}

export async function listStudents(
  sql: Sql,
  userId: string,
  courseId: string,
  query: { pageSize?: string; pageToken?: string },
): Promise<ApiAnswer> {
  const course = await canSee(sql, userId, courseId);
  if (!course) return googleError(404, 'Requested entity was not found.', 'NOT_FOUND', 'notFound');
  const { offset, limit } = pageOf(query.pageToken, query.pageSize, SANDBOX_PAGE_MAX.students);
  const rows = await sql<StudentRow[]>`
    select u.id, u.email, u.given_name, u.family_name, u.email_hidden
    from google_sandbox_enrolments e join google_sandbox_users u on u.id = e.user_id
    where e.course_id = ${courseId} and e.role = 'STUDENT'
    order by e.position, u.id
    offset ${offset} limit ${limit + 1}`;
  const more = rows.length > limit;
  return {
    status: 200,
    body: {
      students: rows.slice(0, limit).map((u) => ({ courseId, userId: u.id, profile: profileJson(u) })),
      ...(more ? { nextPageToken: `o${offset + limit}` } : {}),
    },
  };
}

export async function getUserProfile(sql: Sql, userId: string, profileId: string): Promise<ApiAnswer> {
  const id = profileId === 'me' ? userId : profileId;
  const [row] = await sql<StudentRow[]>`
    select u.id, u.email, u.given_name, u.family_name, (u.email_hidden and u.id <> ${userId}) as email_hidden
    from google_sandbox_users u where u.id = ${id}`;
  if (!row) return googleError(404, 'Requested entity was not found.', 'NOT_FOUND', 'notFound');
  return { status: 200, body: profileJson(row) };
}
