/** The providers `certwatch emulator` can generate a fleet of: one line each (emulator/fleet/generatedPart.ts). */
import { aliyunGeneratedFleet } from '../aliyun/generatedFleet';
import { ucloudGeneratedFleet } from '../ucloud/generatedFleet';
import type { GeneratedFleetPart } from './generatedPart';

export const GENERATED_FLEETS: readonly GeneratedFleetPart[] = [ucloudGeneratedFleet, aliyunGeneratedFleet];
