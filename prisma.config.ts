import { defineConfig } from 'prisma/config';

// Prisma 7 reads the connection URL from here. `prisma generate` does not need a database;
// `prisma migrate deploy` (where Prisma's schema engine is available) uses DATABASE_URL.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/wg_enroll' },
});
