// A localhost port nothing listens on: the preferred one when it is free, else one the
// system picks. A server an interrupted run left behind on the preferred port then
// cannot make the next run fail.
import { createServer } from 'node:net';

/** @param {number} port */
const tryListen = (port) =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: 'localhost', exclusive: true }, () => {
      const got = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
      server.close(() => resolve(got));
    });
  });

/**
 * @param {number} preferred
 * @returns {Promise<number>}
 */
export async function freePort(preferred) {
  return (await tryListen(preferred)) ?? /** @type {number} */ (await tryListen(0));
}
