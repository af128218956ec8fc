import type { Sql } from '../../db/client.js';

/**
 * The sandbox's demo Google world: a few Google accounts to sign in as (one whose email differs
 * from its Rosterbridge account), their Classroom courses, and students. Rosters are longer than
 * one page, one course is archived, some students hide their email, one student is in two courses.
 */

/** The most items one page of the sandbox API returns, whatever pageSize asks for (Google caps pages too). */
export const SANDBOX_PAGE_MAX = { courses: 50, students: 50 };

const FIRST = [
  'Aaliyah',
  'Ben',
  'Carmen',
  'Dev',
  'Elif',
  'Finn',
  'Grace',
  'Hugo',
  'Isla',
  'Jamal',
  'Keiko',
  'Luca',
  'Maya',
  'Nico',
  'Oona',
  'Pablo',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
  'Umar',
  'Vera',
  'Wes',
  'Ximena',
  'Yusuf',
  'Zoe',
];
const LAST = [
  'Abbott',
  'Baker',
  'Castillo',
  'Dang',
  'Ekwueme',
  'Farrell',
  'Gupta',
  'Holm',
  'Ibarra',
  'Jensen',
  'Kowalski',
  'Lindqvist',
  'Moreno',
  'Nakamura',
  'Obi',
  'Park',
  'Quint',
  'Ramos',
  'Sato',
  'Tran',
  'Udeh',
  'Varga',
  'Weiss',
  'Xu',
  'Yilmaz',
  'Zhou',
];

export interface SandboxUserSeed {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  emailHidden?: boolean;
  signInChoice?: boolean;
  note?: string;
}

export interface SandboxCourseSeed {
  id: string;
  name: string;
  section?: string | null;
  ownerId: string;
  state?: string;
  studentIds: string[];
}

export function studentSeed(n: number, options: { hidden?: boolean; domain?: string } = {}): SandboxUserSeed {
  const given = FIRST[n % FIRST.length]!;
  const family = LAST[Math.floor(n / FIRST.length) % LAST.length]!;
  return {
    id: `1${String(n).padStart(8, '0')}`,
    email: `${given}.${family}${n}@${options.domain ?? 'classroom.maplegrove.test'}`.toLowerCase(),
    givenName: given,
    familyName: family,
    emailHidden: options.hidden ?? false,
  };
}

/** The demo world `npm start` shows. Google ids are numeric strings, as Google's are. */
export function demoWorld(): { users: SandboxUserSeed[]; courses: SandboxCourseSeed[] } {
  const teachers: SandboxUserSeed[] = [
    {
      id: '200000001',
      email: 'admin@maplegrove.test',
      givenName: 'Sam',
      familyName: 'Rivera',
      signInChoice: true,
      note: 'Same email as the demo system administrator.',
    },
    {
      id: '200000002',
      email: 'teacher2@maplegrove.test',
      givenName: 'Jordan',
      familyName: 'Lee',
      signInChoice: true,
      note: 'Same email as the Lincoln High group administrator.',
    },
    {
      id: '200000003',
      email: 'sam.rivera@gmail.test',
      givenName: 'Sam',
      familyName: 'Rivera',
      signInChoice: true,
      note: 'Sam Rivera’s personal Google account: its email differs from the Rosterbridge one, so the email-match page shows.',
    },
  ];
  const students: SandboxUserSeed[] = [];
  for (let n = 1; n <= 130; n++) students.push(studentSeed(n, { hidden: n >= 101 && n <= 103 }));
  const ids = (from: number, to: number) => students.slice(from - 1, to).map((s) => s.id);
  const courses: SandboxCourseSeed[] = [
    { id: '600000001', name: 'Career Exploration', section: 'Period 1', ownerId: '200000001', studentIds: ids(1, 24) },
    // 64 students: two pages of the sandbox API.
    { id: '600000002', name: 'Life Skills', section: 'Period 3', ownerId: '200000001', studentIds: ids(25, 88) },
    {
      id: '600000003',
      name: 'Financial Literacy 2024',
      section: 'Period 2',
      ownerId: '200000001',
      state: 'ARCHIVED',
      studentIds: ids(89, 98),
    },
    // Three students whose email Classroom hides, and student 1, who is also in Career Exploration.
    { id: '600000004', name: 'Study Skills', section: 'Period 5', ownerId: '200000001', studentIds: [...ids(99, 110), students[0]!.id] },
    { id: '600000005', name: 'Lincoln High Advisory', section: 'Room 12', ownerId: '200000002', studentIds: ids(111, 128) },
    { id: '600000006', name: 'Personal Finance', section: null, ownerId: '200000003', studentIds: ids(129, 130) },
  ];
  return { users: [...teachers, ...students], courses };
}

/** Writes a world into the sandbox tables (bulk, idempotent: existing ids are left alone). */
export async function loadSandboxWorld(sql: Sql, world: { users: SandboxUserSeed[]; courses: SandboxCourseSeed[] }): Promise<void> {
  await sql.begin(async (tx) => {
    const u = world.users;
    await tx`
      insert into google_sandbox_users (id, email, given_name, family_name, email_hidden, sign_in_choice, note)
      select * from unnest(${u.map((x) => x.id)}::text[], ${u.map((x) => x.email)}::text[], ${u.map((x) => x.givenName)}::text[],
                           ${u.map((x) => x.familyName)}::text[], ${u.map((x) => String(x.emailHidden ?? false))}::text[]::boolean[],
                           ${u.map((x) => String(x.signInChoice ?? false))}::text[]::boolean[], ${u.map((x) => x.note ?? null)}::text[])
      on conflict (id) do nothing`;
    const c = world.courses;
    await tx`
      insert into google_sandbox_courses (id, name, section, owner_id, course_state, position)
      select * from unnest(${c.map((x) => x.id)}::text[], ${c.map((x) => x.name)}::text[], ${c.map((x) => x.section ?? null)}::text[],
                           ${c.map((x) => x.ownerId)}::text[], ${c.map((x) => x.state ?? 'ACTIVE')}::text[], ${c.map((_, i) => i)}::int[])
      on conflict (id) do nothing`;
    const rows = c.flatMap((course) => [
      { course: course.id, user: course.ownerId, role: 'TEACHER', pos: 0 },
      ...course.studentIds.map((id, i) => ({ course: course.id, user: id, role: 'STUDENT', pos: i })),
    ]);
    await tx`
      insert into google_sandbox_enrolments (course_id, user_id, role, position)
      select * from unnest(${rows.map((r) => r.course)}::text[], ${rows.map((r) => r.user)}::text[], ${rows.map((r) => r.role)}::text[], ${rows.map((r) => r.pos)}::int[])
      on conflict do nothing`;
  });
}

/** Loads the demo world the first time the sandbox is used. */
export async function ensureSandboxSeeded(sql: Sql): Promise<void> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from google_sandbox_users`;
  if ((row?.n ?? 0) > 0) return;
  await loadSandboxWorld(sql, demoWorld());
}
