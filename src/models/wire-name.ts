/**
 * Providers accept schema and tool names of [a-zA-Z0-9_-] only, up to 64
 * characters: anything else becomes "_", and an empty result "output".
 */
export function wireName(name: string, maxLength = 64): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, maxLength) || 'output';
}
