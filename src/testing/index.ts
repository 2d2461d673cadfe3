/**
 * agent-patterns/testing — the scripted model for tests, benchmarks and offline demos. Every output
 * it makes says it is scripted (SCRIPTED_NOTICE).
 */
export {
  scripted, scriptedByRules, ScriptedModel, ScriptExhausted, SCRIPTED_NOTICE, systemPrompt, lastUserMessage, toolResults,
  type ScriptedTurn, type ScriptRule, type ScriptedOptions, type Responder,
} from '../models/scripted.js';
