import type { Services } from '../context.js';

const DEMO_CATALOGUE: { name: string; description: string; cost: number; units: string[] }[] = [
  {
    name: 'Workplace Readiness',
    description: 'Soft skills for the first job: communication, teamwork, problem solving and work ethic.',
    cost: 1,
    units: ['Communication', 'Teamwork', 'Problem Solving', 'Work Ethic', 'Customer Service', 'Conflict Resolution'],
  },
  {
    name: 'Life Skills',
    description: 'Money, time, health and home: the skills of living on your own.',
    cost: 1,
    units: ['Managing Money', 'Time Management', 'Healthy Living', 'Cooking Basics', 'Renting a Home'],
  },
  {
    name: 'Career Exploration',
    description: 'Interests, values and the world of work, ending in a career plan.',
    cost: 2,
    units: ['Interests Inventory', 'Work Values', 'Career Clusters', 'Job Shadowing', 'My Career Plan'],
  },
  {
    name: 'Digital Literacy',
    description: 'Safe and effective use of computers, email and the web.',
    cost: 1,
    units: ['Computer Basics', 'Email Etiquette', 'Online Safety', 'Spreadsheets'],
  },
];

/** The demo catalogue, idempotently (existing products are left as they are). */
export async function seedDemoCatalogue(services: Pick<Services, 'sql'>): Promise<void> {
  await services.sql.begin(async (tx) => {
    for (const [i, p] of DEMO_CATALOGUE.entries()) {
      const [row] = await tx<{ id: string }[]>`
        insert into products (name, description, credit_cost, position) values (${p.name}, ${p.description}, ${p.cost}, ${i})
        on conflict (name) do nothing returning id`;
      if (!row) continue;
      await tx`insert into product_units (product_id, position, name) select ${row.id}, n, name from unnest(${p.units}::text[]) with ordinality as u(name, n)`;
    }
  });
}
