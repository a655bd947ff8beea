import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

export interface DeviceLoginRow {
  deviceCode: Uint8Array;
  expiresAt: Date;
}

/** Device logins under way (join.sh --login), keyed by the SHA-256 of the node's handle. */
@Injectable()
export class DeviceLoginRepository {
  constructor(private readonly prisma: PrismaService) {}

  async start(handleHash: string, deviceCode: Uint8Array<ArrayBuffer>, expiresAt: Date): Promise<void> {
    // Logins nobody finished go with the next one (a bounded table without a sweeper).
    await this.prisma.$transaction([
      this.prisma.deviceLogin.deleteMany({ where: { expiresAt: { lt: new Date() } } }),
      this.prisma.deviceLogin.create({ data: { handleHash, deviceCode, expiresAt } }),
    ]);
  }

  find(handleHash: string): Promise<DeviceLoginRow | null> {
    return this.prisma.deviceLogin.findUnique({
      where: { handleHash },
      select: { deviceCode: true, expiresAt: true },
    });
  }

  /** Ends the login; true for the one caller that ended it (two polls at once: one wins). */
  async end(handleHash: string): Promise<boolean> {
    return (await this.prisma.deviceLogin.deleteMany({ where: { handleHash } })).count === 1;
  }
}
