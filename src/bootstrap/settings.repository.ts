import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

@Injectable()
export class SettingsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores the value unless the key exists; returns what is stored now. */
  async putIfAbsent(key: string, value: string): Promise<string> {
    await this.prisma
      .$executeRaw`INSERT INTO app_setting (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO NOTHING`;
    return (await this.prisma.appSetting.findUniqueOrThrow({ where: { key } })).value;
  }
}
