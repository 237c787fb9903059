import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { CreateNodeArgs, CreateResolversArgs, GatsbyCache, Node, PluginOptions, Reporter } from 'gatsby';
// @ts-expect-error: gatsby-source-filesystem ships no types for this module; it makes real File nodes.
import { createFileNode } from 'gatsby-source-filesystem/create-file-node.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolvers, onCreateNode, onPostBuild } from './gatsby-node.js';
import type { SwinupTransformerOptions } from './options.js';
import { type ImageFileNode, variantHash } from './upscaled-file.js';

let dir: string;
const nodes = new Map<string, ImageFileNode>();
const reports: unknown[] = [];
const infos: string[] = [];
const store = new Map<string, unknown>();
const createNodeId = (input: string) => createHash('md5').update(input).digest('hex');

/** The Node API helpers Gatsby passes to a hook, recording what the plugin does with them. */
function helpers(node?: Node) {
  return {
    node,
    createNodeId,
    cache: {
      directory: join(dir, '.cache/caches/gatsby-transformer-swinup'),
      get: async (key: string) => store.get(key),
      set: async (key: string, value: unknown) => store.set(key, value),
    } as unknown as GatsbyCache,
    reporter: {
      setErrorMap() {},
      panicOnBuild: (meta: unknown) => reports.push(meta),
      info: (message: string) => infos.push(message),
      verbose() {},
      warn() {},
    } as unknown as Reporter,
    actions: {
      createNode: async (created: ImageFileNode) => {
        nodes.set(created.id, created);
      },
      createParentChildLink: ({ parent, child }: { parent: Node; child: Node }) => {
        parent.children.push(child.id);
      },
    },
  };
}

const options = (own: SwinupTransformerOptions) => ({ plugins: [], ...own }) as unknown as PluginOptions;

async function sourceFile(name: string, bytes: Buffer): Promise<ImageFileNode> {
  const path = join(dir, 'src/images', name);
  await writeFile(path, bytes);
  return createFileNode(path, createNodeId, { path: join(dir, 'src/images') });
}

async function created(source: ImageFileNode, run: () => Promise<unknown>): Promise<ImageFileNode[]> {
  const before = new Set(nodes.keys());
  await run();
  return [...nodes.values()].filter((n) => !before.has(n.id) && n.parent === source.id);
}

/** The `File.upscaled` resolver the plugin registers, for some plugin options. */
function upscaledResolver(own: SwinupTransformerOptions) {
  let resolvers: Record<string, Record<string, { resolve: (...args: unknown[]) => unknown }>> = {};
  const args = { ...helpers(), createResolvers: (r: typeof resolvers) => (resolvers = r) };
  createResolvers(args as unknown as CreateResolversArgs, options(own));
  const context = { nodeModel: { getNodeById: ({ id }: { id: string }) => nodes.get(id) ?? null } };
  const field = resolvers.File?.upscaled;
  return (source: ImageFileNode, query: object) => field?.resolve(source, query, context);
}

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatsby-transformer-swinup-'));
  await mkdir(join(dir, 'src/images'), { recursive: true });
});

afterAll(async () => {
  await onPostBuild?.(helpers() as never, options({}), () => {});
  await rm(dir, { recursive: true, force: true });
});

describe('eager mode', () => {
  it('adds the image upscaled with the defaults as a child File of the source', async () => {
    const source = await sourceFile('photo.png', await png(16, 12));
    const [child, ...more] = await created(source, () =>
      onCreateNode(helpers(source) as unknown as CreateNodeArgs, options({ defaults: { scale: 4 } })),
    );
    expect(more).toEqual([]);
    expect(child).toMatchObject({ internal: { type: 'File' }, extension: 'png', name: 'photo-upscaled' });
    expect(child?.hash).toBe(variantHash(source, { scale: 4 }));
    expect(source.children).toEqual([child?.id]);
    expect(relative(dir, child?.absolutePath as string)).toMatch(
      /^\.cache\/caches\/gatsby-transformer-swinup\//,
    );
    const meta = await sharp(child?.absolutePath).metadata();
    expect([meta.width, meta.height]).toEqual([64, 48]);

    // Its own output is a File too: Gatsby calls onCreateNode for it, and it must not be upscaled again.
    expect(
      await created(child as ImageFileNode, () =>
        onCreateNode(helpers(child) as unknown as CreateNodeArgs, options({})),
      ),
    ).toEqual([]);
    // The upscaled field without arguments finds the variant made while sourcing.
    expect(await upscaledResolver({ defaults: { scale: 4 } })(source, {})).toBe(child);
  });

  it('leaves out images that exclude names', async () => {
    const source = await sourceFile('logo.png', await png(8, 8));
    const own = { exclude: 'logo.*' };
    const run = () => onCreateNode(helpers(source) as unknown as CreateNodeArgs, options(own));
    expect(await created(source, run)).toEqual([]);
    expect(await upscaledResolver(own)(source, { scale: 2 })).toBeNull();
  });

  it('reports a corrupt image through the error map, naming the file', async () => {
    const source = await sourceFile('broken.png', Buffer.from('89504e470d0a1a0a00000000', 'hex'));
    await onCreateNode(helpers(source) as unknown as CreateNodeArgs, options({}));
    expect(reports).toEqual([
      {
        id: '40001',
        context: {
          // Outside the site folder (the test's working folder), so named by its absolute path.
          file: source.absolutePath,
          reason: expect.stringMatching(/damaged|not a readable image/),
        },
        filePath: source.absolutePath,
      },
    ]);
  });
});

describe('lazy mode', () => {
  it('upscales only when a query asks, once per variant', async () => {
    const source = await sourceFile('hero.png', await png(20, 10));
    const sourcing = () =>
      onCreateNode(helpers(source) as unknown as CreateNodeArgs, options({ mode: 'lazy' }));
    expect(await created(source, sourcing)).toEqual([]);

    const resolve = upscaledResolver({ mode: 'lazy', defaults: { format: 'webp' } });
    const [first] = await created(source, async () => resolve(source, { width: 60 }));
    expect(first).toMatchObject({ extension: 'webp' });
    const meta = await sharp(first?.absolutePath).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 60, 30]);
    expect(await created(source, async () => resolve(source, { width: 60 }))).toEqual([]);
    expect(await resolve(source, { width: 60 })).toBe(first);
  });
});

describe('onPostBuild', () => {
  it('says how many images ran the model', async () => {
    infos.length = 0;
    await onPostBuild?.(helpers() as never, options({}), () => {});
    expect(infos).toEqual(['swinup: 2 image(s) upscaled, 0 from the cache']);
  });
});
