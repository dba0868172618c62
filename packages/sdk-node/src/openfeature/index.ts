export { type MappedContext, toVexilContext } from './context.js';
export { VexilProvider, type VexilProviderOptions } from './provider.js';
