/**
 * The dead-man alarm's window, worked out from the scan schedule at package time, so changing the schedule
 * (`--param="scanSchedule=rate(6 hours)"`) moves the alarm with it. serverless.yml reads it as
 * `${file(./deploy/deadManAlarm.cjs):hours}`; osls calls this function with its variable resolver.
 *
 * The alarm counts hourly periods without a heartbeat (missing data is breaching) and fires when all of the last
 * `hours` periods were empty: the schedule's interval, plus 10% (at least one hour) for a slow run and for
 * CloudWatch's ingestion delay. CloudWatch evaluates at most 7 days of hourly periods (604,800 s).
 * A cron() schedule has no fixed interval to read: say the window with `--param="deadManHours=N"`.
 */
'use strict';

const MAX_HOURS = 168;
const UNIT_HOURS = { minute: 1 / 60, minutes: 1 / 60, hour: 1, hours: 1, day: 24, days: 24 };

/** Hours of silence after which the alarm fires, for an EventBridge schedule and an optional override. */
function deadManHours(schedule, override) {
  if (override !== undefined && override !== null && String(override) !== 'auto') {
    const hours = Number(override);
    if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) {
      throw new Error(`deadManHours "${override}" must be a whole number of hours from 1 to ${MAX_HOURS}`);
    }
    return hours;
  }
  const rate = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(String(schedule).trim());
  if (!rate) {
    throw new Error(
      `scanSchedule "${schedule}" has no fixed interval to watch: give the dead-man alarm its window ` +
        'with --param="deadManHours=N" (the longest gap between two runs, in hours, plus a margin)',
    );
  }
  const intervalHours = Number(rate[1]) * UNIT_HOURS[rate[2]];
  const hours = Math.max(Math.ceil(intervalHours * 1.1), Math.ceil(intervalHours) + 1);
  if (hours > MAX_HOURS) {
    throw new Error(
      `scanSchedule "${schedule}" is too far apart for the dead-man alarm, which can watch at most ` +
        `${MAX_HOURS} hours (CloudWatch's 7-day limit): scan at least every 6 days`,
    );
  }
  return hours;
}

module.exports = async function resolve({ resolveVariable }) {
  const schedule = await resolveVariable('param:scanSchedule');
  const override = await resolveVariable('param:deadManHours');
  return { hours: deadManHours(schedule, override) };
};
module.exports.deadManHours = deadManHours;
