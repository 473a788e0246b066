/**
 * `certwatch upload`: validate a renewed certificate locally, then upload it to Alibaba SLB and check that SLB
 * stored exactly it. Nothing is sent until every check passed; the key never appears in any output.
 */
import { isRegionName, loadConfig } from '../lib/config';
import { CertwatchError, ConfigError, UsageError } from '../lib/errors';
import { inertCertificate } from '../lib/inertRecords';
import { type AliyunRpcClient, aliyunClient } from '../lib/providers/aliyun/client';
import {
  describeServerCertificates,
  mapServerCertificate,
} from '../lib/providers/aliyun/slb/describeServerCertificates';
import { uploadServerCertificate } from '../lib/providers/aliyun/slb/uploadServerCertificate';
import { wireSha1 } from '../lib/providers/wire';
import {
  type CertificateBundle,
  type ReplacedCertificate,
  RotationError,
  readCertificateBundle,
  readPkcs12,
  validateRotation,
} from '../lib/rotation';
import { type CliIo, write } from './io';
import { parse } from './options';
import { EXIT } from './run';

export const UPLOAD_USAGE =
  'certwatch upload --region R (--cert FILE --key FILE | --pfx FILE [--passphrase-env VAR]) [--name NAME] ' +
  '[--replaces ID] [--dry-run]';

export async function runUpload(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, {
    region: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    pfx: { type: 'string' },
    'passphrase-env': { type: 'string' },
    name: { type: 'string' },
    replaces: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const region = options.region;
  if (!region) throw new UsageError(`--region is required: ${UPLOAD_USAGE}`);
  // The region becomes part of the endpoint's host name, and the request carries the key: only region names.
  if (!isRegionName(region))
    throw new UsageError(`--region "${region}" is not a region name such as cn-hangzhou`);
  if (options.pfx && (options.cert || options.key)) {
    throw new UsageError('give either --pfx, or --cert with --key, not both');
  }
  if (!options.pfx && !(options.cert && options.key)) {
    throw new UsageError(`give --cert FILE and --key FILE, or --pfx FILE: ${UPLOAD_USAGE}`);
  }
  if (options.name !== undefined && (options.name.length < 1 || options.name.length > 80)) {
    throw new UsageError(`--name must be 1 to 80 characters (SLB's limit); it has ${options.name.length}`);
  }
  const config = loadConfig(io.env);
  if (!config.aliyun) {
    throw new ConfigError([
      'uploading needs Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    ]);
  }
  const bundle = await readBundle(options, io);
  const client = aliyunClient(config.aliyun, { product: 'SLB', region }, config);
  const replaces = options.replaces ? await findReplaced(client, region, options.replaces) : undefined;
  const check = validateRotation(bundle, { nowMs: io.clock(), replaces });
  const { summary } = check;
  const name = options.name ?? defaultName(summary.names[0] ?? summary.subject, summary.notAfter);
  const described = [
    `  certificate:  ${summary.subject}`,
    `  names:        ${summary.names.join(', ')}`,
    `  valid:        ${summary.notBefore} to ${summary.notAfter}`,
    `  issuer:       ${summary.issuer} (chain of ${summary.chainLength})`,
    `  key:          ${summary.keyAlgorithm}`,
    `  SHA-1:        ${summary.fingerprintSha1}`,
    `  upload as:    "${name}" in ${region}${replaces ? `, replacing ${replaces.id}` : ''}`,
  ].join('\n');
  for (const warning of check.warnings) await write(io.stderr, `certwatch: warning: ${warning}\n`);
  if (!check.ok) {
    await write(
      io.stderr,
      `certwatch: not uploaded — ${check.problems.length} problem(s):\n${check.problems.map((p) => `  - ${p}\n`).join('')}`,
    );
    return EXIT.usage;
  }
  if (options['dry-run']) {
    await write(io.stdout, `Checks passed. Would upload (--dry-run: nothing sent):\n${described}\n`);
    return EXIT.complete;
  }
  const uploaded = await uploadServerCertificate(client, {
    regionId: region,
    certificatePem: check.certificatePem,
    privateKeyPem: bundle.privateKeyPem,
    name,
    fingerprintSha1: wireSha1(summary.fingerprintSha1)!,
  });
  const ours = wireSha1(summary.fingerprintSha1);
  if (uploaded.fingerprintSha1 !== ours) {
    throw new CertwatchError(
      `SLB stored certificate ${uploaded.id} with SHA-1 ${uploaded.fingerprintSha1 ?? '(none given)'}, but the ` +
        `certificate sent has ${ours}: check ${uploaded.id} in the SLB console before binding it`,
    );
  }
  await write(
    io.stdout,
    `Uploaded ${uploaded.id} ("${uploaded.name}") to SLB in ${uploaded.regionId}; SLB's fingerprint matches.\n` +
      `${described}\nNext: bind it to the HTTPS listeners${replaces ? ` that use ${replaces.id}` : ''}, then run ` +
      '`certwatch audit` to see it.\n',
  );
  return EXIT.complete;
}

async function readBundle(
  options: {
    cert?: string | undefined;
    key?: string | undefined;
    pfx?: string | undefined;
    'passphrase-env'?: string | undefined;
  },
  io: CliIo,
): Promise<CertificateBundle> {
  if (options.pfx) {
    const variable = options['passphrase-env'];
    const passphrase = variable === undefined ? '' : io.env[variable];
    if (variable !== undefined && passphrase === undefined) {
      throw new UsageError(`--passphrase-env ${variable}: the environment variable ${variable} is not set`);
    }
    const pfx = await readInput(io, options.pfx, '--pfx');
    try {
      return await readPkcs12(pfx, passphrase ?? '', options.pfx);
    } catch (error) {
      // readPkcs12 knows the file, not where the passphrase came from: say which input to fix.
      if (error instanceof RotationError && error.message.startsWith('wrong passphrase')) {
        const fix =
          variable === undefined
            ? 'if the file has a passphrase, put it in an environment variable and name it with --passphrase-env VAR'
            : `check the passphrase in ${variable} (named by --passphrase-env)`;
        throw new RotationError(`${error.message}: ${fix}`, { cause: error });
      }
      throw error;
    }
  }
  const [certPem, keyPem] = await Promise.all([
    readInput(io, options.cert!, '--cert'),
    readInput(io, options.key!, '--key'),
  ]);
  return readCertificateBundle(certPem.toString('utf8'), keyPem.toString('utf8'), {
    cert: options.cert!,
    key: options.key!,
  });
}

async function readInput(io: CliIo, path: string, option: string): Promise<Buffer> {
  try {
    return await io.readBytes(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`cannot read ${option} ${path} (${reason}): check the path`);
  }
}

/** The certificate being replaced, as SLB describes it: its names and expiry, for the coverage checks. */
async function findReplaced(
  client: AliyunRpcClient,
  region: string,
  id: string,
): Promise<ReplacedCertificate> {
  const items = await describeServerCertificates(client, region);
  const found = items
    .map((item) => inertCertificate(mapServerCertificate(item, region)))
    .find((cert) => cert.id === id);
  if (!found)
    throw new UsageError(`--replaces ${id}: SLB in ${region} has no server certificate with that id`);
  return {
    id,
    names: found.domains,
    notAfterMs: found.apiNotAfter?.epochMs ?? null,
    fingerprintSha1: found.apiFingerprintSha1 ?? undefined,
  };
}

/** `shop.example.com-20271231`: SLB names may be 1 to 80 characters; `*` reads badly in consoles. */
function defaultName(mainName: string, notAfterIso: string): string {
  const base = mainName.replace(/^\*\./, 'wildcard.').replace(/[^A-Za-z0-9._-]/g, '-');
  return `${base.slice(0, 70)}-${notAfterIso.slice(0, 10).replaceAll('-', '')}`;
}
