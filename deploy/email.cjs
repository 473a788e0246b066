/**
 * The SES email channel of a deployment, from three parameters:
 *
 *   --param="emailFrom=certwatch@example.com" --param="emailTo=ops@example.com,oncall@example.com"
 *   --param="emailIdentity=example.com"   (optional: the SES identity the sender belongs to; default the address)
 *
 * It gives the function's environment (CERTWATCH_EMAIL_FROM, CERTWATCH_EMAIL_TO) and one IAM policy: ses:SendEmail
 * on that identity only, and only with that From address (ses:FromAddress). Attached to the scan function's role
 * and, in the sharded mode, to the worker's and the finisher's: whichever closes a run sends its digest. Without emailFrom: no email, no
 * policy, and the function has no SES permission at all.
 */
'use strict';

const NONE = 'none';
/** The address in `a@b.c` or `Name <a@b.c>`. */
const ADDRESS = /^(?:[^<>]*<([^<>\s]+@[^<>\s]+)>|([^<>\s,]+@[^<>\s,]+))$/;

function emailChannel(params) {
  const from = String(params.emailFrom ?? NONE).trim();
  const to = String(params.emailTo ?? NONE).trim();
  if (from === NONE && to === NONE) return { from: '', to: '', resources: {} };
  if (from === NONE || to === NONE) {
    throw new Error(
      'emailFrom and emailTo go together: --param="emailFrom=certwatch@example.com" --param="emailTo=ops@example.com"',
    );
  }
  const match = ADDRESS.exec(from);
  if (!match) throw new Error(`emailFrom "${from}" is not an email address (certwatch@example.com)`);
  const address = match[1] ?? match[2];
  const identity = String(params.emailIdentity ?? 'auto').trim();
  const resource = identity === 'auto' || identity === '' ? address : identity;
  if (!/^[^\s/*]+$/.test(resource)) {
    throw new Error(`emailIdentity "${identity}" must be a verified address or domain, without wildcards`);
  }
  const roles = [{ Ref: 'IamRoleLambdaExecution' }];
  if (params.mode === 'sharded') roles.push({ Ref: 'ShardWorkRole' }, { Ref: 'ShardFinishRole' });
  return {
    from,
    to,
    resources: {
      EmailSendPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'certwatch-ses-send',
          Roles: roles,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'ses:SendEmail',
                Resource: {
                  'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${resource}`,
                },
                Condition: { StringEquals: { 'ses:FromAddress': address } },
              },
            ],
          },
        },
      },
    },
  };
}

module.exports = async function resolve({ resolveVariable }) {
  const read = (name) => resolveVariable(`param:${name}`);
  return emailChannel({
    emailFrom: await read('emailFrom'),
    emailTo: await read('emailTo'),
    emailIdentity: await read('emailIdentity'),
    mode: await read('mode'),
  });
};
module.exports.emailChannel = emailChannel;
