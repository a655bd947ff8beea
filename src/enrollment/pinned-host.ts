import { CidrError, hostOfIpv4, isLeasableHost, parseIpv4Cidr } from '../domain/ipam/cidr';
import { DomainError, Problems } from '../domain/problems/problems';

/** The host number of an admin-pinned address, or the problem with it. */
export function pinnedHost(admin: boolean, network: { ipv4Cidr: string }, address: string): number {
  if (!admin) {
    throw Problems.forbidden('Only an admin may pin an address.');
  }
  const v4 = parseIpv4Cidr(network.ipv4Cidr);
  let host: number | null;
  try {
    host = hostOfIpv4(v4, address);
  } catch (error) {
    if (error instanceof CidrError) {
      throw Problems.validation([{ field: 'address', message: error.message }]);
    }
    throw error;
  }
  if (host === null || !isLeasableHost(v4, host)) {
    throw new DomainError(
      'address-out-of-range',
      `Leasable addresses are the hosts of ${network.ipv4Cidr} except the network, hub (.1) and broadcast addresses.`,
    );
  }
  return host;
}
