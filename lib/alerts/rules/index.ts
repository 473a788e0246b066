/**
 * Per-certificate alert rules from an optional rules file: load.ts reads the text, parse.ts holds the schema and
 * validates, match.ts finds the rule for a certificate and says whether it silences it.
 */
export { parseRules } from './load';
export { globMatch, isSilenced, type ResolvedRule, ruleFor } from './match';
export {
  MATCH_KEYS,
  RULE_KEYS,
  RULES_FILE_KEYS,
  type Rule,
  type RuleMatch,
  type Rules,
} from './parse';
