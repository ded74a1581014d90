// The TypeScript SDK (build/sdk/typescript, installed here under its package name) against a live
// server: register → token → items CRUD → users. `make sdk-test` copies this directory to
// build/sdk-test/, type-checks and compiles it with tsc, starts the server on a free port
// (scripts/live_server.py, API_BASE_URL) and runs it with node's test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient } from "contract-first-items-api-client";
import type { Schemas } from "contract-first-items-api-client";

const baseUrl = process.env["API_BASE_URL"];
if (!baseUrl) {
  throw new Error("API_BASE_URL is not set: run this through `make sdk-test`");
}

const anonymous = createClient({ baseUrl });
const password = "ts-sdk-pass-123";

async function register(username: string): Promise<Schemas["User"]> {
  const { data, response } = await anonymous.POST("/api/v1/auth/register", {
    body: { username, email: `${username}@example.test`, password },
  });
  assert.equal(response.status, 201);
  assert.ok(data);
  assert.equal(response.headers.get("location"), `/api/v1/users/${data.id}`);
  return data;
}

async function login(username: string): Promise<ReturnType<typeof createClient>> {
  const { data, response } = await anonymous.POST("/api/v1/auth/token", {
    body: { username, password },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  assert.equal(response.status, 200);
  assert.ok(data);
  assert.equal(data.token_type, "bearer");
  assert.ok(data.expires_in > 0);
  return createClient({ baseUrl, headers: { Authorization: `Bearer ${data.access_token}` } });
}

test("register, log in, and create, list, read, replace and delete an item", async () => {
  const user = await register("ts_sdk_user");
  assert.equal(user.username, "ts_sdk_user");
  assert.deepEqual(user.scopes, ["items:write", "users:read", "users:write"]);
  const api = await login("ts_sdk_user");

  const me = await api.GET("/api/v1/auth/me");
  assert.equal(me.data?.id, user.id);

  const created = await api.POST("/api/v1/items", {
    body: { name: "Lamp", price: 19.5, tags: ["home"] },
  });
  assert.equal(created.response.status, 201);
  const item = created.data;
  assert.ok(item);
  assert.deepEqual([item.name, item.price, item.tags, item.owner_id], ["Lamp", 19.5, ["home"], user.id]);
  assert.equal(created.response.headers.get("location"), `/api/v1/items/${item.id}`);

  const listed = await anonymous.GET("/api/v1/items", { params: { query: { tag: "home", limit: 5 } } });
  assert.equal(listed.response.status, 200);
  assert.equal(listed.response.headers.get("x-total-count"), "1");
  assert.deepEqual(listed.data?.map((i) => i.id), [item.id]);

  const fetched = await anonymous.GET("/api/v1/items/{item_id}", {
    params: { path: { item_id: item.id } },
  });
  assert.deepEqual(fetched.data, item);

  const replaced = await api.PUT("/api/v1/items/{item_id}", {
    params: { path: { item_id: item.id } },
    body: { name: "Desk lamp", price: 25, description: "Brass" },
  });
  assert.equal(replaced.response.status, 200);
  assert.deepEqual(
    [replaced.data?.name, replaced.data?.price, replaced.data?.description, replaced.data?.tags],
    ["Desk lamp", 25, "Brass", []],
  );

  const deleted = await api.DELETE("/api/v1/items/{item_id}", {
    params: { path: { item_id: item.id } },
  });
  assert.equal(deleted.response.status, 204);

  const gone = await anonymous.GET("/api/v1/items/{item_id}", {
    params: { path: { item_id: item.id } },
  });
  assert.equal(gone.response.status, 404);
  assert.deepEqual(Object.keys(gone.error ?? {}), ["detail"]);
  assert.equal(typeof gone.error?.detail, "string");
});

test("users: list, read, update oneself; another user's update is 403", async () => {
  const alice = await register("ts_alice");
  const bob = await register("ts_bob");
  const api = await login("ts_alice");

  const listed = await api.GET("/api/v1/users", { params: { query: { limit: 100 } } });
  assert.equal(listed.response.status, 200);
  const total = Number(listed.response.headers.get("x-total-count"));
  assert.ok(total >= 2);
  const names = listed.data?.map((u) => u.username) ?? [];
  assert.ok(names.includes("ts_alice") && names.includes("ts_bob"));

  const read = await api.GET("/api/v1/users/{user_id}", { params: { path: { user_id: bob.id } } });
  assert.equal(read.data?.username, "ts_bob");

  const updated = await api.PUT("/api/v1/users/{user_id}", {
    params: { path: { user_id: alice.id } },
    body: { full_name: "Alice Liddell" },
  });
  assert.equal(updated.response.status, 200);
  assert.equal(updated.data?.full_name, "Alice Liddell");

  const forbidden = await api.PUT("/api/v1/users/{user_id}", {
    params: { path: { user_id: bob.id } },
    body: { full_name: "Not Bob" },
  });
  assert.equal(forbidden.response.status, 403);
});

test("the contract's 401 and 422 reach the client typed", async () => {
  const unauthenticated = await anonymous.GET("/api/v1/auth/me");
  assert.equal(unauthenticated.response.status, 401);
  assert.equal(unauthenticated.response.headers.get("www-authenticate"), "Bearer");
  assert.equal(typeof unauthenticated.error?.detail, "string");

  const invalid = await anonymous.GET("/api/v1/items", { params: { query: { limit: 0 } } });
  assert.equal(invalid.response.status, 422);
  const problems = invalid.error?.detail;
  assert.ok(Array.isArray(problems));
  assert.deepEqual(problems[0]?.loc, ["query", "limit"]);
});
