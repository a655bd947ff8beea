import { Module } from '@nestjs/common';
import { IpamRepository } from './ipam.repository';

@Module({ providers: [IpamRepository], exports: [IpamRepository] })
export class IpamModule {}
