import { describe, expect, it } from 'vitest';
import { parseLadder } from '../../../lib/alerts/ladder';
import { globMatch, isSilenced, parseRules, type ResolvedRule, ruleFor } from '../../../lib/alerts/rules';
import { ConfigError } from '../../../lib/errors';
import type { CertificateRecord } from '../../../lib/model';

function record(overrides: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    provider: 'aliyun',
    service: 'cdn',
    region: 'cn-hangzhou',
    project: null,
    id: '16440001',
    name: 'shop-main',
    domains: ['www.example.com', 'shop.example.com'],
    notAfterMs: Date.parse('2026-12-01T00:00:00Z'),
    leafNotAfterMs: Date.parse('2026-12-01T00:00:00Z'),
    daysLeft: 7,
    status: 'critical',
    inUse: true,
    boundTo: [],
    fingerprintSha256: null,
    expirySource: 'api:NotAfter',
    notes: [],
    ...overrides,
  };
}

async function problemsOf(text: string, fileName = 'rules.yaml'): Promise<string[]> {
  try {
    await parseRules(text, fileName);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`parseRules accepted ${JSON.stringify(text)}`);
}

const EXAMPLE_YAML = `
# Per-certificate overrides
rules:
  - match: { provider: aliyun, service: cdn, id: "1644*", name: "shop-*", domain: "*.example.com", region: cn-hangzhou }
    thresholds: "60,30,14,7"        # other rungs for these certificates
    muteUntil: 2026-12-31           # no alerts until then
    muteExpiredInUse: true
    reason: "migrating to ACM"
  - match: { provider: ucloud, project: org-abc }
    ignore: true
    reason: test fleet
  - match: { domain: "*.internal" }
    thresholds: [90, 30, 7, "20%"]
`;

const EXAMPLE_JSON = JSON.stringify({
  rules: [
    {
      match: {
        provider: 'aliyun',
        service: 'cdn',
        id: '1644*',
        name: 'shop-*',
        domain: '*.example.com',
        region: 'cn-hangzhou',
      },
      thresholds: '60,30,14,7',
      muteUntil: '2026-12-31',
      muteExpiredInUse: true,
      reason: 'migrating to ACM',
    },
    { match: { provider: 'ucloud', project: 'org-abc' }, ignore: true, reason: 'test fleet' },
    { match: { domain: '*.internal' }, thresholds: [90, 30, 7, '20%'] },
  ],
});

describe('parseRules', () => {
  it('reads the YAML format with every key', async () => {
    const rules = await parseRules(EXAMPLE_YAML, 'rules.yaml');
    expect(rules).toEqual({
      fileName: 'rules.yaml',
      rules: [
        {
          index: 0,
          match: {
            provider: 'aliyun',
            service: 'cdn',
            id: '1644*',
            name: 'shop-*',
            domain: '*.example.com',
            region: 'cn-hangzhou',
          },
          ladder: { days: [60, 30, 14, 7], lifetimePercent: null },
          mutedUntilMs: Date.parse('2026-12-31T00:00:00Z'),
          ignore: false,
          muteExpiredInUse: true,
          reason: 'migrating to ACM',
        },
        {
          index: 1,
          match: { provider: 'ucloud', project: 'org-abc' },
          ignore: true,
          muteExpiredInUse: false,
          reason: 'test fleet',
        },
        {
          index: 2,
          match: { domain: '*.internal' },
          ladder: { days: [90, 30, 7], lifetimePercent: 20 },
          ignore: false,
          muteExpiredInUse: false,
        },
      ],
    });
  });

  it('reads the same rules from JSON', async () => {
    const fromYaml = (await parseRules(EXAMPLE_YAML, 'rules.yaml')).rules;
    expect((await parseRules(EXAMPLE_JSON, 'rules.json')).rules).toEqual(fromYaml);
    expect((await parseRules(EXAMPLE_YAML, 'RULES.YML')).rules).toEqual(fromYaml);
  });

  it('chooses the format by content when the extension does not say', async () => {
    const fromYaml = (await parseRules(EXAMPLE_YAML, 'rules.yaml')).rules;
    expect((await parseRules(EXAMPLE_JSON, 'certwatch-rules')).rules).toEqual(fromYaml);
    expect((await parseRules(EXAMPLE_YAML, '/etc/certwatch/rules.conf')).rules).toEqual(fromYaml);
    // JSON content in a .json file is held to JSON: a YAML file named .json is an error, not a guess.
    expect(await problemsOf('rules: []\n', 'rules.json')).toEqual([
      'rules.json: line 1: not valid JSON: expected a value (a string in double quotes, a number, an object, a ' +
        'list, true, false or null)',
    ]);
  });

  it('accepts an empty list, instants with offsets, and single-number thresholds', async () => {
    expect(await parseRules('rules: []', 'r.yaml')).toEqual({ fileName: 'r.yaml', rules: [] });
    expect((await parseRules('{"rules": []}', 'r.json')).rules).toEqual([]);
    const rules = (
      await parseRules(
        [
          'rules:',
          '  - match: { id: "a" }',
          '    muteUntil: "2026-12-31T18:00:00+08:00"',
          '    reason: r',
          '  - match: { id: "b" }',
          '    muteUntil: 2026-12-31T18:30:15Z',
          '    reason: r',
          '  - match: { id: "c" }',
          '    muteUntil: 2026-12-31T18:30',
          '    reason: r',
          '  - match: { id: "d" }',
          '    thresholds: 45',
        ].join('\n'),
        'r.yaml',
      )
    ).rules;
    expect(rules.map((rule) => rule.mutedUntilMs)).toEqual([
      Date.parse('2026-12-31T10:00:00Z'),
      Date.parse('2026-12-31T18:30:15Z'),
      Date.parse('2026-12-31T18:30:00Z'),
      undefined,
    ]);
    expect(rules[3]!.ladder).toEqual(parseLadder('45'));
  });

  it('reads an unquoted date of a YAML 1.1 document as that day, UTC', async () => {
    const rules = (
      await parseRules(
        '%YAML 1.1\n---\nrules:\n  - match: { id: "a" }\n    muteUntil: 2026-12-31\n    reason: r\n',
        'r.yaml',
      )
    ).rules;
    expect(rules[0]!.mutedUntilMs).toBe(Date.parse('2026-12-31T00:00:00Z'));
  });

  it('names the path of an unknown key, with a suggestion for a typo', async () => {
    expect(await problemsOf('rules:\n  - match: { domian: "*.example.com" }\n')).toEqual([
      'rules.yaml: rules[0].match.domian: unknown key (did you mean domain?)',
    ]);
    expect(
      await problemsOf(
        'rules:\n  - match: { id: "1" }\n    mute_until: 2026-12-31\n    Reason: x\n    foo: 1\n',
      ),
    ).toEqual([
      'rules.yaml: rules[0].mute_until: unknown key (did you mean muteUntil?)',
      'rules.yaml: rules[0].Reason: unknown key (did you mean reason?)',
      'rules.yaml: rules[0].foo: unknown key; known keys: match, thresholds, muteUntil, ignore, muteExpiredInUse, reason',
    ]);
    expect(await problemsOf('rule: []\n')).toEqual([
      'rules.yaml: rule: unknown key (did you mean rules?)',
      'rules.yaml: rules: is missing: the file must hold a "rules" list',
    ]);
    expect(await problemsOf('rules: []\nversion: 2\n')).toEqual([
      'rules.yaml: version: unknown key; known keys: rules',
    ]);
  });

  it('requires a match with at least one field', async () => {
    expect(await problemsOf('rules:\n  - thresholds: "60,30"\n')).toEqual([
      'rules.yaml: rules[0].match: is missing: give at least one of provider, service, region, project, id, ' +
        'name, domain (a rule without one would match every certificate)',
    ]);
    expect(await problemsOf('rules:\n  - match: {}\n    thresholds: "60,30"\n')).toEqual([
      'rules.yaml: rules[0].match: is empty: give at least one of provider, service, region, project, id, name, ' +
        'domain (to match every certificate on purpose, write provider: "*")',
    ]);
    expect(
      (await parseRules('rules:\n  - match: { provider: "*" }\n    thresholds: "60,30"\n', 'r.yaml')).rules,
    ).toHaveLength(1);
  });

  it('rejects wrong types, naming the path', async () => {
    expect(await problemsOf('{}')).toEqual([
      'rules.yaml: rules: is missing: the file must hold a "rules" list',
    ]);
    expect(await problemsOf('rules:\n')).toEqual(['rules.yaml: rules: must be a list of rules']);
    expect(await problemsOf('rules: { match: {} }\n')).toEqual([
      'rules.yaml: rules: must be a list of rules',
    ]);
    expect(await problemsOf('- match: { id: "1" }\n')).toEqual([
      'rules.yaml: must hold an object with a "rules" list, such as rules: [{ match: ..., ... }]',
    ]);
    expect(await problemsOf('rules:\n  - "ignore everything"\n')).toEqual([
      'rules.yaml: rules[0]: must be an object with a match, such as { match: { domain: "*.example.com" }, ignore: true }',
    ]);
    expect(await problemsOf('rules:\n  - match: "*.example.com"\n')).toEqual([
      'rules.yaml: rules[0].match: must be an object such as { domain: "*.example.com" }',
    ]);
    expect(
      await problemsOf(
        'rules:\n  - match: { id: 1644, name: [a, b], region: "" }\n    ignore: yes\n    muteExpiredInUse: 1\n' +
          '    thresholds: { days: 30 }\n    reason: 42\n',
      ),
    ).toEqual([
      'rules.yaml: rules[0].match.region: must not be empty',
      'rules.yaml: rules[0].match.id: must be a string: put the value in quotes',
      'rules.yaml: rules[0].match.name: must be a string (a glob: * matches any run of characters, ? one character)',
      'rules.yaml: rules[0].thresholds: must be a string of days such as "60,30,14,7" (optionally with a share ' +
        'of lifetime: "60,30,20%")',
      'rules.yaml: rules[0].ignore: must be true or false',
      'rules.yaml: rules[0].muteExpiredInUse: must be true or false',
      'rules.yaml: rules[0].reason: must be a non-empty string saying why',
    ]);
  });

  it('checks thresholds with the ladder rules, under the rule path', async () => {
    expect(await problemsOf('rules:\n  - match: { id: "1" }\n    thresholds: "60,x,0,30%,40%"\n')).toEqual([
      'rules.yaml: rules[0].thresholds: "x" is neither a number of days (such as 30) nor a share of lifetime ' +
        '(such as 20%)',
      'rules.yaml: rules[0].thresholds: "0" must be at least 1 day',
      'rules.yaml: rules[0].thresholds: has more than one share of lifetime ("30%", "40%"); give at most one',
    ]);
    expect(await problemsOf('rules:\n  - match: { id: "1" }\n    thresholds: " "\n')).toEqual([
      'rules.yaml: rules[0].thresholds: is empty: give days such as "60,30,14,7", or leave thresholds out for ' +
        'the default ladder',
    ]);
  });

  it('requires muteUntil to be a date', async () => {
    const at = (value: string) =>
      problemsOf(`rules:\n  - match: { id: "1" }\n    muteUntil: ${value}\n    reason: r\n`);
    const advice =
      'give a date such as 2026-12-31 (the mute ends at its start, UTC) or an ISO instant such as 2026-12-31T18:00:00Z';
    expect(await at('2026-13-01')).toEqual([
      `rules.yaml: rules[0].muteUntil: "2026-13-01" is not a date: ${advice}`,
    ]);
    expect(await at('2026-02-30')).toEqual([
      `rules.yaml: rules[0].muteUntil: "2026-02-30" is not a date: ${advice}`,
    ]);
    expect(await at('next week')).toEqual([
      `rules.yaml: rules[0].muteUntil: "next week" is not a date: ${advice}`,
    ]);
    // Forms a date parser would read against today's date or a week number are refused.
    expect(await at('"18:00"')).toEqual([`rules.yaml: rules[0].muteUntil: "18:00" is not a date: ${advice}`]);
    expect(await at('2026-W01')).toEqual([
      `rules.yaml: rules[0].muteUntil: "2026-W01" is not a date: ${advice}`,
    ]);
    expect(await at('20261231')).toEqual([
      'rules.yaml: rules[0].muteUntil: must be a date such as 2026-12-31 or an ISO instant such as 2026-12-31T18:00:00Z',
    ]);
  });

  it('requires a reason to mute or ignore, and refuses settings that would do nothing', async () => {
    expect(await problemsOf('rules:\n  - match: { id: "1" }\n    ignore: true\n')).toEqual([
      'rules.yaml: rules[0].reason: is missing: ignore needs a reason (it is shown in the audit)',
    ]);
    expect(
      await problemsOf('rules:\n  - match: { id: "1" }\n    muteUntil: 2026-12-31\n    reason: "  "\n'),
    ).toEqual(['rules.yaml: rules[0].reason: must be a non-empty string saying why']);
    expect(await problemsOf('rules:\n  - match: { id: "1" }\n    muteUntil: 2026-12-31\n')).toEqual([
      'rules.yaml: rules[0].reason: is missing: muteUntil needs a reason (it is shown in the audit)',
    ]);
    expect(
      await problemsOf(
        'rules:\n  - match: { id: "1" }\n    muteUntil: 2026-12-31\n    ignore: true\n    reason: r\n',
      ),
    ).toEqual([
      'rules.yaml: rules[0]: has both ignore: true and muteUntil: an ignore never ends, so keep only one',
    ]);
    expect(await problemsOf('rules:\n  - match: { id: "1" }\n    muteExpiredInUse: true\n')).toEqual([
      'rules.yaml: rules[0].muteExpiredInUse: has no effect without ignore: true or muteUntil',
    ]);
    // A reason alone (say, for other thresholds) is fine.
    expect(
      (await parseRules('rules:\n  - match: { id: "1" }\n    reason: r\n', 'r.yaml')).rules[0]!.reason,
    ).toBe('r');
  });

  it('reports every problem of every rule at once, in one ConfigError', async () => {
    const text = [
      'rules:',
      '  - match: { domian: x }',
      '  - match: { id: "1" }',
      '    ignore: true',
      '  - match: { id: "2" }',
      '    thresholds: "0"',
    ].join('\n');
    await expect(parseRules(text, 'rules.yaml')).rejects.toThrow(
      'Configuration errors:\n' +
        '  - rules.yaml: rules[0].match.domian: unknown key (did you mean domain?)\n' +
        '  - rules.yaml: rules[1].reason: is missing: ignore needs a reason (it is shown in the audit)\n' +
        '  - rules.yaml: rules[2].thresholds: "0" must be at least 1 day',
    );
  });

  it('refuses an empty file', async () => {
    for (const [text, name] of [
      ['', 'rules.yaml'],
      ['# nothing yet\n', 'rules.yaml'],
      ['  \n', 'rules.json'],
    ] as const) {
      expect(await problemsOf(text, name)).toEqual([
        `${name}: the file is empty: it must hold an object with a "rules" list (an empty list is fine: rules: [])`,
      ]);
    }
  });

  describe('syntax errors', () => {
    const SECRET = 'LTAI5tSecretValue';

    it('name the file and the line of a YAML error, and never quote the text', async () => {
      const problems = await problemsOf(`rules:\n  - match: { id: "1" }\n    reason: ${SECRET}: oops\n`);
      expect(problems).toEqual([
        'rules.yaml: line 3: not valid YAML: nested mapping on one line (quote values that contain ": ")',
      ]);
      const unclosed = await problemsOf(`rules:\n  - match: { id: "1" }\n    reason: "${SECRET}\n`);
      expect(unclosed).toEqual(['rules.yaml: line 3: not valid YAML: a closing quote or bracket is missing']);
      expect((await problemsOf(`rules:\n\t- match: { id: "${SECRET}" }\n`))[0]).toMatch(
        /^rules\.yaml: line 2: not valid YAML: /,
      );
      for (const problem of [...problems, ...unclosed]) expect(problem).not.toContain(SECRET);
    });

    it('refuse a repeated key, which would otherwise silently win', async () => {
      expect(await problemsOf('rules:\n  - match: { id: "1" }\n    match: { provider: "*" }\n')).toEqual([
        'rules.yaml: line 3: not valid YAML: a key is repeated in the same object',
      ]);
      expect(
        await problemsOf('{"rules": [{"match": {"id": "1"},\n "match": {"provider": "*"}}]}', 'rules.json'),
      ).toEqual(['rules.json: line 2: not valid JSON: a key is repeated in the same object']);
    });

    it('name the file and the line of a JSON error, and never quote the text', async () => {
      const expectedValue =
        'expected a value (a string in double quotes, a number, an object, a list, true, false or null)';
      const trailing = 'a comma before a closing bracket (JSON allows no trailing comma)';
      const cases: [string, string][] = [
        [
          `{"rules": [\n  {"match": {"id": ${SECRET}}}\n]}`,
          `rules.json: line 2: not valid JSON: ${expectedValue}`,
        ],
        [
          `{"rules": [\n  {"match": {"id": "${SECRET}"}},\n]}`,
          `rules.json: line 3: not valid JSON: ${trailing}`,
        ],
        [
          `{"rules": [\n  {"match": {"id": "${SECRET}"}, }\n]}`,
          `rules.json: line 2: not valid JSON: ${trailing}`,
        ],
        [
          `{"rules": [\n  {"match": {"id": "${SECRET}`,
          'rules.json: line 2: not valid JSON: a string is not closed',
        ],
        [
          `{"rules": [\n  {"match": {"id": "${SECRET}"}}`,
          'rules.json: line 2: not valid JSON: the text ends too early (a closing bracket is missing)',
        ],
        [
          `// ${SECRET}\n{"rules": []}`,
          'rules.json: line 1: not valid JSON: comments are not allowed in JSON',
        ],
        [
          `{"rules": []}\n# ${SECRET}`,
          'rules.json: line 2: not valid JSON: comments are not allowed in JSON',
        ],
        [
          `{"rules": []}\n{"${SECRET}": 1}`,
          'rules.json: line 2: not valid JSON: more text after the end of the JSON value',
        ],
        [
          `{"rules": [\n  {'match': {"id": "${SECRET}"}}]}`,
          'rules.json: line 2: not valid JSON: expected a key in double quotes',
        ],
        [`{"rules" [\n]}`, 'rules.json: line 1: not valid JSON: expected ":" after a key'],
        [
          `{"rules": [{"match": {"id": "1"} "ignore": true}]}`,
          'rules.json: line 1: not valid JSON: expected "," or "}"',
        ],
        [`{"rules": [{"match": {"id": "1"}} {}]}`, 'rules.json: line 1: not valid JSON: expected "," or "]"'],
        [
          `{"rules": [{"match": {"id": "${SECRET}\t"}}]}`,
          'rules.json: line 1: not valid JSON: a control character (such as a tab or a line break) inside a string',
        ],
        [
          `{"rules": [{"match": {"id": "${SECRET}\\x"}}]}`,
          'rules.json: line 1: not valid JSON: a bad escape in a string',
        ],
        [`${'['.repeat(200)}${']'.repeat(200)}`, 'rules.json: line 1: not valid JSON: nested too deeply'],
      ];
      for (const [text, expected] of cases) {
        const problems = await problemsOf(text, 'rules.json');
        expect(problems[0]).toBe(expected);
        for (const problem of problems) expect(problem).not.toContain(SECRET);
      }
    });
  });
});

describe('globMatch', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything.at.all', true],
    ['?', '', false],
    ['?', 'a', true],
    ['??', 'a', false],
    ['shop-*', 'shop-main', true],
    ['shop-*', 'shop-', true],
    ['shop-*', 'myshop-main', false],
    ['*.example.com', 'www.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', '*.example.com', true],
    ['*.example.com', 'www.example.com.cn', false],
    ['1644*', '16440001', true],
    ['1644*', '21644', false],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
    ['*a*a*a*', 'aaa', true],
    ['*a*a*a*', 'aa', false],
    ['cert-??', 'cert-01', true],
    ['cert-??', 'cert-1', false],
    ['?.example.com', '😀.example.com', true],
    ['a.b', 'aXb', false],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
  ])('%s against %s is %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('ignores case only when asked', () => {
    expect(globMatch('*.Example.COM', 'WWW.example.com', true)).toBe(true);
    expect(globMatch('*.Example.COM', 'WWW.example.com')).toBe(false);
  });
});

describe('ruleFor', async () => {
  const rules = await parseRules(EXAMPLE_YAML, 'rules.yaml');

  it('applies the first rule whose every match field matches', () => {
    const resolved = ruleFor(record(), rules);
    expect(resolved).toEqual({
      ladder: { days: [60, 30, 14, 7], lifetimePercent: null },
      mutedUntilMs: Date.parse('2026-12-31T00:00:00Z'),
      ignore: false,
      muteExpiredInUse: true,
      reason: 'migrating to ACM',
      ruleIndex: 0,
    });
  });

  it('does not apply a rule when one field differs', () => {
    for (const overrides of [
      { provider: 'ucloud' },
      { service: 'slb' },
      { region: 'cn-shanghai' },
      { id: '1744' },
      { name: 'blog-main' },
      { domains: ['www.example.org'] },
      { domains: [] },
    ]) {
      expect(ruleFor(record(overrides), rules).ruleIndex).toBeUndefined();
    }
  });

  it('matches domain and name without regard to case, ids exactly', async () => {
    expect(ruleFor(record({ name: 'SHOP-Main', domains: ['WWW.EXAMPLE.COM'] }), rules).ruleIndex).toBe(0);
    const byId = await parseRules('rules:\n  - match: { id: "abc-*" }\n    thresholds: "9"\n', 'r.yaml');
    expect(ruleFor(record({ id: 'abc-1' }), byId).ruleIndex).toBe(0);
    expect(ruleFor(record({ id: 'ABC-1' }), byId).ruleIndex).toBeUndefined();
    const byProject = await parseRules(
      'rules:\n  - match: { project: "org-*" }\n    thresholds: "9"\n',
      'r.yaml',
    );
    expect(ruleFor(record({ project: 'org-x' }), byProject).ruleIndex).toBe(0);
    expect(ruleFor(record({ project: 'ORG-x' }), byProject).ruleIndex).toBeUndefined();
    expect(ruleFor(record({ project: null }), byProject).ruleIndex).toBeUndefined();
  });

  it('matches a domain when any of the certificate domains matches', () => {
    const internal = record({ provider: 'ucloud', domains: ['a.example.org', 'api.internal'] });
    expect(ruleFor(internal, rules)).toEqual({
      ladder: { days: [90, 30, 7], lifetimePercent: 20 },
      ignore: false,
      muteExpiredInUse: false,
      ruleIndex: 2,
    });
  });

  it('lets an earlier rule win over a later one that also matches', async () => {
    const both = await parseRules(
      [
        'rules:',
        '  - match: { domain: "shop.example.com" }',
        '    thresholds: "90"',
        '  - match: { domain: "*.example.com" }',
        '    ignore: true',
        '    reason: later rule',
      ].join('\n'),
      'r.yaml',
    );
    expect(ruleFor(record(), both)).toEqual({
      ladder: { days: [90], lifetimePercent: null },
      ignore: false,
      muteExpiredInUse: false,
      ruleIndex: 0,
    });
    expect(ruleFor(record({ domains: ['www.example.com'] }), both).ruleIndex).toBe(1);
  });

  it('gives nothing to a certificate no rule matches', () => {
    expect(ruleFor(record({ provider: 'other' }), rules)).toEqual({ ignore: false, muteExpiredInUse: false });
    expect(ruleFor(record(), { fileName: 'none', rules: [] })).toEqual({
      ignore: false,
      muteExpiredInUse: false,
    });
  });
});

describe('isSilenced', () => {
  const MUTE_END = Date.parse('2026-12-31T00:00:00Z');
  const muted: ResolvedRule = {
    mutedUntilMs: MUTE_END,
    ignore: false,
    muteExpiredInUse: false,
    reason: 'migrating',
    ruleIndex: 3,
  };
  const ignored: ResolvedRule = { ignore: true, muteExpiredInUse: false, reason: 'test fleet', ruleIndex: 1 };

  it('is not silenced without a rule', () => {
    expect(isSilenced(record(), { ignore: false, muteExpiredInUse: false }, MUTE_END)).toEqual({
      silenced: false,
    });
  });

  it('silences an ignored certificate', () => {
    expect(isSilenced(record(), ignored, MUTE_END)).toEqual({
      silenced: true,
      why: 'ignored by rules[1]: test fleet',
    });
  });

  it('mutes until the date, to the second, UTC', async () => {
    expect(isSilenced(record(), muted, MUTE_END - 1000)).toEqual({
      silenced: true,
      why: 'muted until 2026-12-31T00:00:00Z by rules[3]: migrating',
    });
    expect(isSilenced(record(), muted, MUTE_END)).toEqual({
      silenced: false,
      why: 'mute by rules[3] ended 2026-12-31T00:00:00Z',
    });
    const fromFile = ruleFor(
      record({ id: 'x' }),
      await parseRules(
        'rules:\n  - match: { id: x }\n    muteUntil: "2026-12-31T18:30:15Z"\n    reason: r\n',
        'r.yaml',
      ),
    );
    expect(isSilenced(record(), fromFile, Date.parse('2026-12-31T18:30:14Z')).silenced).toBe(true);
    expect(isSilenced(record(), fromFile, Date.parse('2026-12-31T18:30:15Z')).silenced).toBe(false);
  });

  it('never silences an expired certificate still in use unless the rule says so', () => {
    const outage = record({ status: 'expired', daysLeft: -2, inUse: true });
    expect(isSilenced(outage, ignored, MUTE_END)).toEqual({
      silenced: false,
      why:
        'ignored by rules[1]: test fleet; not silenced: the certificate has expired and is still in use ' +
        '(set muteExpiredInUse: true to silence it)',
    });
    expect(isSilenced(outage, muted, MUTE_END - 1000).silenced).toBe(false);
    expect(isSilenced(outage, { ...ignored, muteExpiredInUse: true }, MUTE_END).silenced).toBe(true);
    expect(isSilenced(outage, { ...muted, muteExpiredInUse: true }, MUTE_END - 1000).silenced).toBe(true);
  });

  it('silences an expired certificate known to serve nothing, and not one whose binding is unknown', () => {
    const unused = record({ status: 'expired', daysLeft: -2, inUse: false });
    expect(isSilenced(unused, ignored, MUTE_END).silenced).toBe(true);
    expect(isSilenced(unused, muted, MUTE_END - 1000).silenced).toBe(true);
    // SLB never says where a certificate is bound: unknown counts as in use.
    const unknown = record({ status: 'expired', daysLeft: -2, inUse: null });
    expect(isSilenced(unknown, ignored, MUTE_END).silenced).toBe(false);
  });
});
