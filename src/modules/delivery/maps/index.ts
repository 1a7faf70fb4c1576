// The delivery module's one way to get a maps provider: configuration picks which. The sandbox is
// the default so development and tests never depend on a public service.
import type { Outbound } from '../../../platform/resilience/outbound.js';
import { createNominatimMaps } from './nominatim.js';
import type { MapsProvider } from './provider.js';
import { createSandboxMaps } from './sandbox.js';

export {
  AVERAGE_COURIER_SPEED_KMH,
  estimateRoute,
  greatCircleMetres,
  type GeoPoint,
  type MapsProvider,
  type PostalAddress,
  type TravelEstimate,
} from './provider.js';
export { createNominatimMaps, type NominatimOptions } from './nominatim.js';
export { createSandboxMaps, SANDBOX_ADDRESSES, type SandboxAddress } from './sandbox.js';

export interface MapsConfig {
  provider: 'sandbox' | 'nominatim';
  nominatimUrl: string;
  userAgent: string;
}

export function createMapsProvider(config: MapsConfig, outbound: Outbound): MapsProvider {
  switch (config.provider) {
    case 'sandbox':
      return createSandboxMaps();
    case 'nominatim':
      return createNominatimMaps({ baseUrl: config.nominatimUrl, userAgent: config.userAgent, outbound });
  }
}
