import { beforeAll, describe, expect, it } from 'vitest';
import { listProducts, seedDemoCatalogue, type Product } from '../../src/assignments/catalogue.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { runDueJobs } from '../helpers/jobs.js';

const db = useTestDatabase();
let org: OrgFixture;
let rival: OrgFixture;
let life: Product;
let workplace: Product;
const learners: string[] = [];

beforeAll(async () => {
  await seedDemoCatalogue(db.services);
  const products = await listProducts(db.services);
  life = products.find((p) => p.name === 'Life Skills')!;
  workplace = products.find((p) => p.name === 'Workplace Readiness')!;
  org = await createOrganisation(db.services, { name: 'Oak', credits: 50, editions: ['standard', 'enhanced'] });
  rival = await createOrganisation(db.services, { name: 'Pine', credits: 50 });
  for (let i = 0; i < 3; i++)
    learners.push(
      (await createAccount(db.services, org.organisationId, { email: `kid${i}@oak.test`, lastName: `Kid${i}`, groupId: org.groups.North! }))
        .id,
    );
  await createAccount(db.services, org.organisationId, {
    email: 'teacher@oak.test',
    kind: 'administrator',
    managedGroupIds: [org.groups.North!],
  });
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

async function selectionFor(client: TestClient, ids: string[]): Promise<string> {
  await client.get('/accounts');
  const res = await client.post('/accounts/selection', { accountId: ids });
  expect(res.status).toBe(303);
  return res.headers.get('location')!.replace('/assign/', '');
}

describe('mass assign pages: the custom path', () => {
  it('Add Product, edition, Assign Manually with units, Continue, verify, Confirm Assignment, result page and CSV', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const selectionId = await selectionFor(admin, learners.slice(0, 2));
    const options = await admin.get(`/assign/${selectionId}`);
    expect(options.html).toContain('Using a Preset Assignment');
    expect(options.html).toContain('Custom Assignment');
    expect(options.html).toContain('You are making an assignment to <b>2 accounts</b>');
    expect(options.html).toContain('Create a new Preset Assignment');
    // The organisation setting is off: no re-assignment choice.
    expect(options.html).not.toContain('A re-assignment');

    const added = await admin.post(`/assign/${selectionId}/custom`, { action: 'add', addProductId: life.id, assignMode: 'assign' });
    expect(added.status).toBe(200);
    const addedHtml = await added.text();
    expect(addedHtml).toContain('<legend>Life Skills</legend>');
    expect(addedHtml).toContain('Edition');
    expect(addedHtml).toContain('Assign Manually (choose units)');

    const cont = await admin.post(`/assign/${selectionId}/custom`, {
      action: 'continue',
      'item-0-product': life.id,
      'item-0-edition': 'enhanced',
      'item-0-mode': 'manual',
      'item-0-units': [life.units[0]!.id, life.units[2]!.id],
    });
    expect(cont.status).toBe(303);
    expect(cont.headers.get('location')).toBe(`/assign/${selectionId}/verify?custom=1`);
    const verify = await admin.get(`/assign/${selectionId}/verify?custom=1`);
    expect(verify.html).toContain('Life Skills (Enhanced): Assign Manually, Managing Money, Healthy Living');
    expect(verify.html).toContain('Will be assigned');
    expect(verify.html).toMatch(/<b>2<\/b> credits needed/);
    expect(verify.html).not.toContain("can't be undone");

    const confirm = await admin.post(`/assign/${selectionId}/confirm`, { custom: '1' });
    expect(confirm.status).toBe(303);
    const resultPath = confirm.headers.get('location')!;
    expect(resultPath).toMatch(/^\/assignments\/requests\/[0-9a-f-]{36}$/);
    const waiting = await admin.get(resultPath);
    expect(waiting.html).toContain('hx-trigger="every 2s"');
    await runDueJobs(db);
    const progress = await admin.request(`${resultPath}/progress`, { hx: true });
    expect(progress.headers.get('hx-refresh')).toBe('true');
    const result = await admin.get(resultPath);
    expect(result.html).toMatch(/<b>2<\/b> assigned/);
    expect(result.html).toContain('kid0@oak.test');
    const csv = await admin.request(`${resultPath}/outcomes.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(3);
    expect(text).toContain('kid1@oak.test,Life Skills,assigned,');
    const [row] = await db.services.sql<
      { edition: string; unit_ids: string[] }[]
    >`select edition, unit_ids from assignments where account_id = ${learners[0]!}`;
    expect(row).toEqual({ edition: 'enhanced', unit_ids: [life.units[0]!.id, life.units[2]!.id] });
    expect((await admin.get('/assignments/requests')).html).toContain('Life Skills');
  });

  it('a subscription needs the confirmation box; without it nothing is queued', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const selectionId = await selectionFor(admin, [learners[2]!]);
    await admin.post(`/assign/${selectionId}/custom`, {
      action: 'continue',
      'item-0-product': workplace.id,
      'item-0-edition': 'standard',
      'item-0-mode': 'subscription',
      'item-0-months': '6',
    });
    const verify = await admin.get(`/assign/${selectionId}/verify?custom=1`);
    expect(verify.html).toContain('I am making a subscription assignment');
    expect(verify.html).toMatch(/can(&#39;|')t be undone\./);
    const before = await db.services.sql`select id from assignment_requests`;
    const refused = await admin.post(`/assign/${selectionId}/confirm`, { custom: '1' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Tick the box to confirm you are making a subscription assignment');
    expect(await db.services.sql`select id from assignment_requests`).toHaveLength(before.length);
    const ok = await admin.post(`/assign/${selectionId}/confirm`, { custom: '1', confirmSubscription: '1' });
    expect(ok.status).toBe(303);
  });

  it('custom products with a problem are shown on the options page', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const selectionId = await selectionFor(admin, [learners[0]!]);
    const res = await admin.post(`/assign/${selectionId}/custom`, {
      action: 'continue',
      'item-0-product': life.id,
      'item-0-edition': 'standard',
      'item-0-mode': 'manual',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    // The problem named where it is (the units of that product), not "Add at least one product."
    expect(html).not.toContain('Add at least one product');
    expect(html).toContain('Life Skills: Assign Manually needs at least one unit. Tick the units to assign, or choose Subscription.');
    expect(html).toMatch(/class="error-summary"[^>]*tabindex="-1"[\s\S]*<a href="#item-0-units">Life Skills: Assign Manually/);
    expect(html).toMatch(/<input type="checkbox" id="item-0-units" name="item-0-units"/);

    const nothing = await admin.post(`/assign/${selectionId}/custom`, { action: 'continue' });
    expect(nothing.status).toBe(400);
    expect(await nothing.text()).toContain('Add at least one product: choose it in the drop-down and select Add Product.');
  });

  it('Confirm Assignment is not offered when nothing will be assigned', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const teacher = await db.services.sql<{ id: string }[]>`select id from accounts where email = 'teacher@oak.test'`;
    const selectionId = await selectionFor(admin, [teacher[0]!.id]);
    await admin.post(`/assign/${selectionId}/custom`, {
      action: 'continue',
      'item-0-product': life.id,
      'item-0-edition': 'standard',
      'item-0-mode': 'manual',
      'item-0-units': life.units[0]!.id,
    });
    const verify = await admin.get(`/assign/${selectionId}/verify?custom=1`);
    expect(verify.html).toContain('Nothing will be assigned');
    expect(verify.html).not.toContain('Confirm Assignment');
  });

  it('the preset editor names the product whose units are missing', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get('/assignments/presets/new');
    const res = await admin.post('/assignments/presets/new', {
      name: 'No units',
      action: 'save',
      'item-0-product': life.id,
      'item-0-edition': 'standard',
      'item-0-mode': 'manual',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<a href="#item-0-units">Life Skills: Assign Manually needs at least one unit.');
    // Enter in the Name field presses the hidden default button: it saves, it never adds a product.
    expect(html).toMatch(/<button type="submit" name="action" value="save" class="enter-submits"/);
    expect(html).not.toMatch(/value="add" class="enter-submits"/);
  });
});

describe('mass assign pages: presets', () => {
  it('creates, edits and deletes a preset, then assigns with it', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get('/assignments/presets/new');
    const added = await admin.post('/assignments/presets/new', { name: 'Fall starters', action: 'add', addProductId: life.id });
    expect(await added.text()).toContain('<legend>Life Skills</legend>');
    const saved = await admin.post('/assignments/presets/new', {
      name: 'Fall starters',
      action: 'save',
      'item-0-product': life.id,
      'item-0-edition': 'standard',
      'item-0-mode': 'manual',
      'item-0-units': life.units[1]!.id,
    });
    expect(saved.status).toBe(303);
    const list = await admin.get('/assignments/presets?done=saved');
    expect(list.html).toContain('Fall starters');
    expect(list.html).toContain('Life Skills (Standard): Assign Manually, Time Management');
    const [preset] = await db.services.sql<{ id: string }[]>`select id from preset_assignments where name = 'Fall starters'`;
    const dup = await admin.post('/assignments/presets/new', {
      name: 'fall STARTERS',
      action: 'save',
      'item-0-product': life.id,
      'item-0-mode': 'manual',
      'item-0-units': life.units[1]!.id,
    });
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain('A preset assignment with this name already exists.');

    const selectionId = await selectionFor(admin, [learners[1]!]);
    const options = await admin.get(`/assign/${selectionId}`);
    expect(options.html).toContain('Fall starters');
    const verify = await admin.get(`/assign/${selectionId}/verify?presetId=${preset!.id}`);
    expect(verify.html).toContain('Preset Assignment: Fall starters');
    // learner 1 already has Life Skills from the first test: skipped, with the reason.
    expect(verify.html).toContain('Already assigned: not assigned again');

    const edited = await admin.post(`/assignments/presets/${preset!.id}`, {
      name: 'Fall starters 2',
      action: 'save',
      'item-0-product': life.id,
      'item-0-edition': 'standard',
      'item-0-mode': 'subscription',
      'item-0-months': '12',
    });
    expect(edited.status).toBe(303);
    expect((await admin.get('/assignments/presets')).html).toContain('Fall starters 2');
    // Delete is a link to a page that asks first; nothing is deleted by opening it.
    const listed = await admin.get('/assignments/presets');
    expect(listed.html).toContain(`href="/assignments/presets/${preset!.id}/delete"`);
    const asking = await admin.get(`/assignments/presets/${preset!.id}/delete`);
    expect(asking.html).toContain('Delete the Preset Assignment &quot;Fall starters 2&quot;?');
    expect(asking.html).toContain('Life Skills (Standard): Subscription, 12 months');
    expect(asking.html).toContain('Assignments already made with it, and their results, are kept.');
    expect(await db.services.sql`select 1 from preset_assignments where id = ${preset!.id}`).toHaveLength(1);
    expect((await admin.post(`/assignments/presets/${preset!.id}/delete`, { _csrf: 'forged' })).status).toBe(403);
    expect(await db.services.sql`select 1 from preset_assignments where id = ${preset!.id}`).toHaveLength(1);
    const deleted = await admin.post(`/assignments/presets/${preset!.id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(await db.services.sql`select 1 from preset_assignments where id = ${preset!.id}`).toHaveLength(0);
    expect((await admin.get('/assignments/presets?done=deleted')).html).toContain('The Preset Assignment was deleted.');
  });

  it('"Create a new Preset Assignment" from the Assign page comes back to it with the new preset chosen', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    // A preset listed before the new one, which would otherwise be the one chosen.
    await db.services.sql`insert into preset_assignments (organisation_id, name, items) values (${org.organisationId}, 'A first', '[]')`;
    const selectionId = await selectionFor(admin, [learners[2]!]);
    const options = await admin.get(`/assign/${selectionId}`);
    expect(options.html).toMatch(/name="presetId" value="[^"]+" checked[^>]*>\s*<span>\s*<b>A first<\/b>/);
    const back = `/assign/${selectionId}`;
    const href = `/assignments/presets/new?return=${encodeURIComponent(back)}`;
    expect(options.html).toContain(`href="${href.replace(/&/g, '&amp;')}"`);
    const editor = await admin.get(href);
    expect(editor.html).toContain(`<a href="${back}">Back to Assign</a>`);
    expect(editor.html).toContain(`name="return" value="${back}"`);
    const item = { 'item-0-product': life.id, 'item-0-edition': 'standard', 'item-0-mode': 'manual', 'item-0-units': life.units[0]!.id };
    // Add Product keeps the way back.
    const added = await admin.post('/assignments/presets/new', {
      name: 'Round trip',
      action: 'add',
      addProductId: workplace.id,
      return: back,
      ...item,
    });
    expect(await added.text()).toContain(`name="return" value="${back}"`);
    const saved = await admin.post('/assignments/presets/new', { name: 'Round trip', action: 'save', return: back, ...item });
    expect(saved.status).toBe(303);
    const [preset] = await db.services.sql<
      { id: string }[]
    >`select id from preset_assignments where organisation_id = ${org.organisationId} and name = 'Round trip'`;
    expect(saved.headers.get('location')).toBe(`${back}?presetId=${preset!.id}&done=preset-saved`);
    const returned = await admin.get(saved.headers.get('location')!);
    expect(returned.html).toContain('The Preset Assignment was saved and is chosen below.');
    expect(returned.html).toMatch(new RegExp(`<input type="radio" name="presetId" value="${preset!.id}" checked`));
    expect(returned.html.match(/name="presetId" value="[^"]+" checked/g)).toHaveLength(1);
  });

  it('a return path other than an Assign page is not followed', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get('/assignments/presets/new');
    const item = { 'item-0-product': life.id, 'item-0-edition': 'standard', 'item-0-mode': 'manual', 'item-0-units': life.units[0]!.id };
    for (const [n, target] of ['//evil.example/assign/x', 'https://evil.example/', '/accounts/import', '/assign/../accounts'].entries()) {
      const editor = await admin.get(`/assignments/presets/new?return=${encodeURIComponent(target)}`);
      expect(editor.html).not.toContain('name="return"');
      const saved = await admin.post('/assignments/presets/new', { name: `Elsewhere ${n}`, action: 'save', return: target, ...item });
      expect(saved.status).toBe(303);
      expect(saved.headers.get('location')).toBe('/assignments/presets?done=saved');
    }
  });

  it('Enter in a field presses the main button of the form, never Add Product or Remove', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const selectionId = await selectionFor(admin, [learners[0]!]);
    const firstSubmit = (html: string, action: string) => {
      const form = html.slice(html.indexOf(`action="${action}"`));
      return /<button type="submit" name="action" value="([^"]+)"/.exec(form)?.[1];
    };
    // Enter always does what the form's main button does (issue 15: it used to add the chosen product, which cost credits nobody chose).
    expect(firstSubmit((await admin.get(`/assign/${selectionId}`)).html, `/assign/${selectionId}/custom`)).toBe('continue');
    const added = await admin.post(`/assign/${selectionId}/custom`, { action: 'add', addProductId: life.id, assignMode: 'assign' });
    expect(firstSubmit(await added.text(), `/assign/${selectionId}/custom`)).toBe('continue');
    expect(firstSubmit((await admin.get('/assignments/presets/new')).html, '/assignments/presets/new')).toBe('save');
    const presetAdded = await admin.post('/assignments/presets/new', { name: 'Enter', action: 'add', addProductId: life.id });
    expect(firstSubmit(await presetAdded.text(), '/assignments/presets/new')).toBe('save');
  });
});

describe('mass assign pages: credits, settings and security', () => {
  it('too few credits: the verification page says so with the numbers and Confirm is refused', async () => {
    const poor = await createOrganisation(db.services, { name: 'Poor', credits: 1 });
    const kids = [];
    for (let i = 0; i < 2; i++)
      kids.push((await createAccount(db.services, poor.organisationId, { email: `p${i}@poor.test`, groupId: poor.groups.North! })).id);
    const admin = await signedIn(poor.systemAdmin.email);
    const selectionId = await selectionFor(admin, kids);
    await admin.post(`/assign/${selectionId}/custom`, {
      action: 'continue',
      'item-0-product': life.id,
      'item-0-edition': 'standard',
      'item-0-mode': 'manual',
      'item-0-units': life.units[0]!.id,
    });
    const verify = await admin.get(`/assign/${selectionId}/verify?custom=1`);
    expect(verify.html).toContain('Not enough credits: this assignment needs 2 credits and your organisation has 1.');
    const refused = await admin.post(`/assign/${selectionId}/confirm`, { custom: '1' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('This assignment needs 2 credits and your organisation has 1.');
  });

  it('the organisation page lets a system administrator allow re-assignment, which the options page then offers', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const page = await admin.get('/organisation');
    expect(page.html).toContain('May reassign completed units');
    expect(page.html).toContain('credits available');
    const saved = await admin.post('/organisation', {
      mayReassignCompleted: '1',
      welcomeEmailEnabled: '1',
      editions: ['standard', 'enhanced'],
    });
    expect(saved.status).toBe(303);
    const [row] = await db.services.sql<
      { may_reassign_completed: boolean }[]
    >`select may_reassign_completed from organisations where id = ${org.organisationId}`;
    expect(row!.may_reassign_completed).toBe(true);
    const selectionId = await selectionFor(admin, [learners[0]!]);
    expect((await admin.get(`/assign/${selectionId}`)).html).toContain('A re-assignment');
    const none = await admin.post('/organisation', { editions: [] });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Keep at least one edition.');
    const teacher = await signedIn('teacher@oak.test');
    expect((await teacher.request('/organisation')).status).toBe(404);
  });

  it("another organisation's selection, preset and request ids give 404", async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const selectionId = await selectionFor(admin, [learners[0]!]);
    const [request] = await db.services.sql<
      { id: string }[]
    >`select id from assignment_requests where organisation_id = ${org.organisationId} limit 1`;
    const [preset] = await db.services.sql<{ id: string }[]>`
      insert into preset_assignments (organisation_id, name, items) values (${org.organisationId}, 'Ours only', '[]') returning id`;
    const stranger = await signedIn(rival.systemAdmin.email);
    expect((await stranger.request(`/assign/${selectionId}`)).status).toBe(404);
    expect((await stranger.request(`/assign/${selectionId}/verify?custom=1`)).status).toBe(404);
    expect((await stranger.request(`/assignments/requests/${request!.id}`)).status).toBe(404);
    expect((await stranger.request(`/assignments/requests/${request!.id}/outcomes.csv`)).status).toBe(404);
    expect((await stranger.request(`/assignments/presets/${preset!.id}`)).status).toBe(404);
    expect((await stranger.request(`/assignments/presets/${preset!.id}/delete`)).status).toBe(404);
    expect((await stranger.post(`/assignments/presets/${preset!.id}/delete`, {})).status).toBe(404);
    expect(await db.services.sql`select 1 from preset_assignments where id = ${preset!.id}`).toHaveLength(1);
    expect((await stranger.get('/assignments/requests')).html).not.toContain(request!.id);
  });

  it('learners get 404 and Confirm without the CSRF token is refused', async () => {
    await createAccount(db.services, org.organisationId, { email: 'learner@oak.test', groupId: org.groups.North! });
    const learner = await signedIn('learner@oak.test');
    expect((await learner.request('/assignments/presets')).status).toBe(404);
    expect((await learner.request('/assignments/requests')).status).toBe(404);
    const admin = await signedIn(org.systemAdmin.email);
    const selectionId = await selectionFor(admin, [learners[0]!]);
    const res = await admin.post(`/assign/${selectionId}/confirm`, { _csrf: 'nope', custom: '1' });
    expect(res.status).toBe(403);
  });
});
