// The TypeScript client of the contract: openapi-fetch typed by the contract's paths.
// `make sdk` copies this file next to src/schema.ts (openapi-typescript's output for
// openapi.yaml) in build/sdk/typescript/ and compiles both with tsc.
import createFetchClient from "openapi-fetch";
import type { Client, ClientOptions } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** The contract's component schemas by name, e.g. `Schemas["Item"]`. */
export type Schemas = components["schemas"];

/** A client for the API at `options.baseUrl`; every path, parameter, body and response typed. */
export function createClient(options: ClientOptions = {}): Client<paths> {
  return createFetchClient<paths>(options);
}
