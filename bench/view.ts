// The Owned Bases view's model for a large workspace: 500 Dockerfiles, 50 recipes, 2,000 engine images
// (target: ≤ 200 ms). Baseline: parsing the same Dockerfiles alone, the floor of any view that reads FROMs.
import { LABEL_RECIPE_PATH, LABEL_RECIPE_SHA256 } from '../src/core/engine/labels';
import { parseDockerfile } from '../src/core/dockerfile/model';
import { buildWorkspaceModel, fromUsesOf, type DockerfileFile, type ImageInput, type RecipeFile } from '../src/core/workspace/model';

const enc = new TextEncoder();
const recipes: RecipeFile[] = Array.from({ length: 50 }, (_, i) => ({
  path: `/ws/recipes/r${i}.ownbase.yaml`, relPath: `recipes/r${i}.ownbase.yaml`,
  bytes: enc.encode(`image: owned/r${i}:1\ndistro: debian\nsuite: bookworm\npackages: [ca-certificates, curl]\n`),
}));
const dockerfiles: DockerfileFile[] = Array.from({ length: 500 }, (_, i) => ({
  path: `/ws/svc${i}/Dockerfile`, relPath: `svc${i}/Dockerfile`,
  text: `ARG TAG=${i % 7}\nFROM gcc:\${TAG} AS build\nRUN apt-get update && apt-get install -y make\nCOPY . /src\nRUN make -C /src\n` +
    `FROM owned/r${i % 50}:1\nCOPY --from=build /src/app /app\nUSER 1000\nCMD ["/app"]\n`,
}));
const images: ImageInput[] = Array.from({ length: 2000 }, (_, i): ImageInput => ({
  id: `sha256:${i.toString(16).padStart(64, '0')}`, tags: [`img${i}:latest`], created: 1_700_000_000_000 + i * 1000, size: 1_000_000 + i,
  labels: i % 4 === 0 ? { [LABEL_RECIPE_PATH]: `recipes/r${i % 50}.ownbase.yaml`, [LABEL_RECIPE_SHA256]: 'a'.repeat(64) } as Record<string, string> : {},
}));
const input = { recipes, dockerfiles, images, ownedPatterns: ['registry.example/base/*'] };
// What the extension recomputes on an engine event or a recipe save: the Dockerfiles' FROM lines are kept.
const warm = { ...input, dockerfiles: dockerfiles.map((d) => ({ ...d, uses: fromUsesOf(d) })) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (let i = 0; i < 3; i++) buildWorkspaceModel(input);
const ours: number[] = [];
const again: number[] = [];
const parse: number[] = [];
for (let b = 0; b < 11; b++) {
  let t = performance.now();
  buildWorkspaceModel(input);
  ours.push(performance.now() - t);
  t = performance.now();
  buildWorkspaceModel(warm);
  again.push(performance.now() - t);
  t = performance.now();
  for (const d of dockerfiles) parseDockerfile(d.text);
  parse.push(performance.now() - t);
}
console.log('Owned Bases model: 500 Dockerfiles, 50 recipes, 2,000 images, 11 interleaved runs');
console.log(`  buildWorkspaceModel    median ${median(ours).toFixed(1)} ms (target ≤ 200 ms), Dockerfiles parsed`);
console.log(`  … FROM lines kept      median ${median(again).toFixed(1)} ms (an engine event, a recipe save)`);
console.log(`  parseDockerfile × 500  median ${median(parse).toFixed(1)} ms`);
console.log(`  ratio model/parse = ${(median(ours) / median(parse)).toFixed(2)}×`);
