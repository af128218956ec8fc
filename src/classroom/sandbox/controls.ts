import type { Sql } from '../../db/client.js';
import { ValidationError } from '../../errors.js';

/**
 * What the sandbox control page can change, so a roster re-sync and Google's faults can be seen:
 * add, rename, remove and re-add students, and make the API answer 429 / 5xx for a while.
 */

export interface SandboxCourseView {
  id: string;
  name: string;
  section: string | null;
  state: string;
  ownerEmail: string;
  students: { id: string; name: string; email: string; emailHidden: boolean }[];
}

export interface SandboxOverview {
  accounts: { id: string; email: string; name: string; note: string | null }[];
  courses: SandboxCourseView[];
  fault: { status: number; until: Date } | null;
  apiDisabled: boolean;
}

export async function sandboxOverview(sql: Sql): Promise<SandboxOverview> {
  const accounts = await sql<{ id: string; email: string; name: string; note: string | null }[]>`
    select id, email, given_name || ' ' || family_name as name, note from google_sandbox_users where sign_in_choice order by id`;
  const courses = await sql<{ id: string; name: string; section: string | null; state: string; owner_email: string }[]>`
    select c.id, c.name, c.section, c.course_state as state, u.email as owner_email
    from google_sandbox_courses c join google_sandbox_users u on u.id = c.owner_id
    where u.sign_in_choice order by c.position, c.id`;
  const students = await sql<{ course_id: string; id: string; name: string; email: string; email_hidden: boolean }[]>`
    select e.course_id, u.id, u.given_name || ' ' || u.family_name as name, u.email, u.email_hidden
    from google_sandbox_enrolments e join google_sandbox_users u on u.id = e.user_id
    where e.role = 'STUDENT' and e.course_id = any(${courses.map((c) => c.id)}::text[])
    order by e.course_id, e.position, u.id`;
  const [s] = await sql<{ fault_status: number | null; fault_until: string | null; api_disabled: boolean }[]>`
    select fault_status, fault_until, api_disabled from google_sandbox_settings where id = 1`;
  return {
    accounts,
    courses: courses.map((c) => ({
      id: c.id,
      name: c.name,
      section: c.section,
      state: c.state,
      ownerEmail: c.owner_email,
      students: students
        .filter((x) => x.course_id === c.id)
        .map((x) => ({ id: x.id, name: x.name, email: x.email, emailHidden: x.email_hidden })),
    })),
    fault:
      s?.fault_status && s.fault_until && new Date(s.fault_until).getTime() > Date.now()
        ? { status: s.fault_status, until: new Date(s.fault_until) }
        : null,
    apiDisabled: s?.api_disabled ?? false,
  };
}

async function requireCourse(sql: Sql, courseId: string): Promise<void> {
  const [row] = await sql`select 1 from google_sandbox_courses where id = ${courseId}`;
  if (!row) throw new ValidationError('There is no such course in the sandbox.');
}

export async function sandboxAddStudent(
  sql: Sql,
  input: { courseId: string; givenName: string; familyName: string; email: string; emailHidden?: boolean },
): Promise<string> {
  await requireCourse(sql, input.courseId);
  const givenName = input.givenName.trim();
  const familyName = input.familyName.trim();
  const email = input.email.trim().toLowerCase();
  if (!givenName || !familyName || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw new ValidationError('Enter a first name, a last name and an email address for the new student.');
  }
  return sql.begin(async (tx) => {
    const [existing] = await tx<{ id: string }[]>`select id from google_sandbox_users where lower(email) = ${email}`;
    let id = existing?.id;
    if (!id) {
      const [row] = await tx<{ id: string }[]>`
        insert into google_sandbox_users (id, email, given_name, family_name, email_hidden)
        values ((select (coalesce(max(id::bigint), 100000000) + 1)::text from google_sandbox_users where id ~ '^1[0-9]{8}$'),
                ${email}, ${givenName}, ${familyName}, ${input.emailHidden ?? false})
        returning id`;
      id = row!.id;
    }
    await tx`
      insert into google_sandbox_enrolments (course_id, user_id, role, position)
      values (${input.courseId}, ${id}, 'STUDENT', (select coalesce(max(position), 0) + 1 from google_sandbox_enrolments where course_id = ${input.courseId}))
      on conflict do nothing`;
    return id;
  });
}

/** Puts a student who left back on a course (a "return"). */
export async function sandboxEnrolStudent(sql: Sql, courseId: string, userId: string): Promise<void> {
  await requireCourse(sql, courseId);
  await sql`
    insert into google_sandbox_enrolments (course_id, user_id, role, position)
    select ${courseId}, id, 'STUDENT', (select coalesce(max(position), 0) + 1 from google_sandbox_enrolments where course_id = ${courseId})
    from google_sandbox_users where id = ${userId}
    on conflict do nothing`;
}

export async function sandboxRenameStudent(
  sql: Sql,
  input: { userId: string; givenName: string; familyName: string; email?: string },
): Promise<void> {
  const givenName = input.givenName.trim();
  const familyName = input.familyName.trim();
  if (!givenName || !familyName) throw new ValidationError('Enter the student’s new first and last name.');
  const email = input.email?.trim().toLowerCase() || null;
  await sql`
    update google_sandbox_users set given_name = ${givenName}, family_name = ${familyName}, email = coalesce(${email}, email)
    where id = ${input.userId}`;
}

export async function sandboxRemoveStudent(sql: Sql, courseId: string, userId: string): Promise<void> {
  await sql`delete from google_sandbox_enrolments where course_id = ${courseId} and user_id = ${userId} and role = 'STUDENT'`;
}

/** Removes the first `count` students of a course (to trip the re-sync's removal guard). */
export async function sandboxRemoveMany(sql: Sql, courseId: string, count: number): Promise<void> {
  await sql`
    delete from google_sandbox_enrolments where course_id = ${courseId} and role = 'STUDENT' and user_id in (
      select user_id from google_sandbox_enrolments where course_id = ${courseId} and role = 'STUDENT' order by position, user_id limit ${count})`;
}

/** For `seconds`, every Classroom API call answers `status` (429, 500 or 503). */
export async function sandboxSetFault(sql: Sql, status: number | null, seconds: number): Promise<void> {
  if (status !== null && ![429, 500, 502, 503].includes(status)) throw new ValidationError('Choose 429, 500, 502 or 503.');
  await sql`
    insert into google_sandbox_settings (id, fault_status, fault_until) values (1, ${status}, now() + make_interval(secs => ${seconds}))
    on conflict (id) do update set fault_status = excluded.fault_status, fault_until = excluded.fault_until`;
}

export async function sandboxSetApiDisabled(sql: Sql, disabled: boolean): Promise<void> {
  await sql`
    insert into google_sandbox_settings (id, api_disabled) values (1, ${disabled})
    on conflict (id) do update set api_disabled = excluded.api_disabled`;
}
