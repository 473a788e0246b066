import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../lib/report/table';
import { cert, report } from '../../helpers/reports';

describe('renderTable', () => {
  const ucloud = cert({ id: 'ssl-1', name: 'shop' });
  const aliyun = (id: string, account: string) =>
    cert({
      provider: 'aliyun',
      service: 'cas',
      region: 'global',
      project: null,
      id,
      account: { id: null, name: account },
    });

  it('has no account column while the report holds one account of a cloud', () => {
    const header = renderTable(report([ucloud, aliyun('1', 'default'), aliyun('2', 'default')])).split(
      '\n',
    )[0]!;
    expect(header).not.toContain('ACCOUNT');
  });

  it('names each row’s account once a report spans several', () => {
    const lines = renderTable(report([ucloud, aliyun('1', 'default'), aliyun('2', 'shop-prod')])).split('\n');
    expect(lines[0]).toMatch(/^STATUS +DAYS +EXPIRES \(UTC\) +ACCOUNT +SOURCE/);
    const row = (id: string) => lines.find((line) => line.includes(` ${id} `)) ?? '';
    expect(row('2')).toMatch(/ shop-prod +aliyun\/cas global /);
    expect(row('1')).toMatch(/ default +aliyun\/cas global /);
    expect(row('ssl-1')).toMatch(/ - +ucloud\/ulb cn-bj2 org-x /);
  });
});
