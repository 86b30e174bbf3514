// Module hooks of `npm start -- --watch` (registered by infra/local/fresh-import.ts): a module of
// this repository imported with `?generation=N` passes that query on to every repository module it
// imports, so each reload gets a fresh graph of the project's own code, while node_modules (the AWS
// SDK, aws-cdk-lib...) stay loaded once. Node never unloads a module, so only own code is repeated.
const ROOT = new URL('../../', import.meta.url).href;
const PARAMETER = 'generation';

const generationOf = (url) => {
  if (!url?.startsWith('file:')) return null;
  return new URL(url).searchParams.get(PARAMETER);
};

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const generation = generationOf(context.parentURL);
  if (
    generation === null ||
    !result.url.startsWith(ROOT) ||
    result.url.includes('/node_modules/') ||
    generationOf(result.url) !== null
  )
    return result;
  const url = new URL(result.url);
  url.searchParams.set(PARAMETER, generation);
  return { ...result, url: url.href };
}
