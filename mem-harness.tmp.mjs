import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const parts = (process.env.PARTS ?? '').split(',').filter(Boolean);
for (const p of parts) {
  if (p === 'ink') { const React = (await import('react')).default; const { render, Text } = await import('ink'); render(React.createElement(Text, null, 'hello ' + new Date().toISOString())); }
  if (p === 'resp') new Response('x');
  if (p === 'undici') require('undici');
  if (p === 'http') require('node:http');
  if (p === 'grpc') require('@grpc/grpc-js');
  if (p === 'ga') { const m = await import('./dist/probes/ga-client.js'); m.gaServiceDefinition(true); }
  if (p === 'mcp') await import('@modelcontextprotocol/client');
  if (p === 'conf') await import('conf');
  if (p === 'yaml') await import('yaml');
  if (p === 'shopify') await import('@shopify/admin-api-client');
  if (p === 'datefns') await import('date-fns');
}
setTimeout(() => process.exit(0), 4000);
