import { describe, expect, it } from 'vitest';
import {
  FORMAT_INFO,
  isReportFormat,
  REPORT_FORMATS,
  renderedReport,
  renderReport,
} from '../../../lib/report/render';
import { hostileReport } from '../../helpers/hostileReport';
import { fromReportJson } from '../../helpers/reports';

describe('renderReport', () => {
  it('renders a hostile fleet in every format, each with its media type', () => {
    const report = hostileReport();
    for (const format of REPORT_FORMATS) {
      const rendered = renderedReport(report, format, { nowMs: report.nowMs, alarmDays: [30] });
      expect(rendered.format).toBe(format);
      expect(rendered.contentType).toBe(FORMAT_INFO[format].contentType);
      expect(rendered.body.length, format).toBeGreaterThan(1000);
      expect(rendered.body, format).toContain('ssl-47');
    }
  });

  it('renders json as the report itself, and knows only its formats', () => {
    const report = hostileReport(5);
    expect(fromReportJson(JSON.parse(renderReport(report, 'json')))).toEqual(report);
    expect(REPORT_FORMATS.every(isReportFormat)).toBe(true);
    for (const name of ['xml', 'CSV', '', 'toString', null, 3]) expect(isReportFormat(name)).toBe(false);
  });
});
