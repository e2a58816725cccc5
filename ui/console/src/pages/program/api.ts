/** The program page's GraphQL: the channel's program settings and commission rules, and their two saves. */
import type { GraphQLClient, MutationError } from "../../app/graphql";

export type Trigger = "FIRST_CLICK" | "FIRST_ORDER" | "FIRST_PAYMENT" | "REGISTRATION";
export type Override = "NEVER" | "AFTER_EXPIRY" | "LAST_TOUCH";
export type CodePriority = "VOUCHER_FIRST" | "LINK_FIRST";
export type Kind = "ENTERPRISE" | "INDIVIDUAL";

export interface Program {
  channel: string;
  currency: string;
  version: number;
  commissionDepth: number;
  freezeDays: number;
  baseIncludesShipping: boolean;
  selfPurchaseEarns: boolean;
  bindingPolicy: {
    trigger: Trigger;
    validityDays: number | null;
    protectionDays: number;
    override: Override;
    codePriority: CodePriority;
  };
  withdrawalMinimum: { amount: string };
  withdrawalDailyLimit: { amount: string };
  withdrawalAutoApproveBelow: { amount: string };
  autoApproveDistributors: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface Rule {
  level: number;
  rate: string | null;
  fixedAmount: { amount: string } | null;
  productId: string | null;
  categoryId: string | null;
  distributorKind: Kind | null;
}

/** A rule as the server takes it (decimals as strings, one of rate / fixedAmount). */
export interface RuleInput {
  level: number;
  rate?: string;
  fixedAmount?: string;
  productId?: string;
  categoryId?: string;
  distributorKind?: Kind;
}

/** The settings the page edits (the rest of the program stays as it is). */
export interface ProgramInput {
  commissionDepth: number;
  freezeDays: number;
  baseIncludesShipping: boolean;
  selfPurchaseEarns: boolean;
  bindingPolicy: Program["bindingPolicy"];
  withdrawalMinimum: string;
  withdrawalDailyLimit: string;
  withdrawalAutoApproveBelow: string;
  autoApproveDistributors: boolean;
}

/** A mutation's error about one rule of the list (``index``) or about the request. */
export interface RuleError extends MutationError {
  index: number | null;
}

/** A channel the program can run in (the shop's channels, and those with a saved program). */
export interface ProgramChannel {
  channel: string;
  name: string;
  currency: string;
  configured: boolean;
  active: boolean;
}

const CHANNELS = `query ConsoleProgramChannels { programChannels { channel name currency configured active } }`;

export async function fetchChannels(client: GraphQLClient): Promise<ProgramChannel[]> {
  const data = await client.request<{ programChannels: ProgramChannel[] }>(CHANNELS, {});
  return data.programChannels;
}

/** A product of the catalog, as the rules editor picks it. */
export interface ProgramProduct {
  id: string;
  title: string;
  price: { amount: string; currency: string };
}

const PRODUCT_FIELDS = "edges { node { id title price { amount currency } } }";
const PRODUCTS_SEARCH = `query ConsoleProgramProducts($channel: String!, $search: String) {
  programProducts(channel: $channel, search: $search, first: 8) { ${PRODUCT_FIELDS} }
}`;
const PRODUCTS_BY_ID = `query ConsoleProgramProductNames($channel: String!, $ids: [ID!]) {
  programProducts(channel: $channel, ids: $ids) { ${PRODUCT_FIELDS} }
}`;

type ProductPage = { programProducts: { edges: { node: ProgramProduct }[] } };

export async function searchProducts(client: GraphQLClient, channel: string, search: string): Promise<ProgramProduct[]> {
  const data = await client.request<ProductPage>(PRODUCTS_SEARCH, { channel, search });
  return data.programProducts.edges.map((edge) => edge.node);
}

/** The catalog's names of the products the rules name (ids the catalog does not list are left out). */
export async function productNames(client: GraphQLClient, channel: string, ids: string[]): Promise<Record<string, string>> {
  if (!ids.length) return {};
  const data = await client.request<ProductPage>(PRODUCTS_BY_ID, { channel, ids: ids.slice(0, 100) });
  return Object.fromEntries(data.programProducts.edges.map((edge) => [edge.node.id, edge.node.title]));
}

/** A category of the shop, as the rules editor picks it: its path shows where it sits in the tree. */
export interface ProgramCategory {
  id: string;
  name: string;
  path: string;
}

const CATEGORY_FIELDS = "edges { node { id name path } }";
const CATEGORIES_SEARCH = `query ConsoleProgramCategories($search: String) {
  programCategories(search: $search, first: 8) { ${CATEGORY_FIELDS} }
}`;
const CATEGORIES_BY_ID = `query ConsoleProgramCategoryNames($ids: [ID!]) {
  programCategories(ids: $ids) { ${CATEGORY_FIELDS} }
}`;

type CategoryPage = { programCategories: { edges: { node: ProgramCategory }[] } };

export async function searchCategories(client: GraphQLClient, search: string): Promise<ProgramCategory[]> {
  const data = await client.request<CategoryPage>(CATEGORIES_SEARCH, { search });
  return data.programCategories.edges.map((edge) => edge.node);
}

/** The paths of the categories the rules name (ids the shop does not know are left out), in one call. */
export async function categoryNames(client: GraphQLClient, ids: string[]): Promise<Record<string, string>> {
  if (!ids.length) return {};
  const data = await client.request<CategoryPage>(CATEGORIES_BY_ID, { ids: ids.slice(0, 100) });
  return Object.fromEntries(data.programCategories.edges.map((edge) => [edge.node.id, edge.node.path]));
}

const PROGRAM_FIELDS = `channel currency version commissionDepth freezeDays baseIncludesShipping selfPurchaseEarns
  bindingPolicy { trigger validityDays protectionDays override codePriority }
  withdrawalMinimum { amount } withdrawalDailyLimit { amount } withdrawalAutoApproveBelow { amount }
  autoApproveDistributors updatedAt updatedBy`;
const RULE_FIELDS = "level rate fixedAmount { amount } productId categoryId distributorKind";

const PROGRAM = `query ConsoleProgram($channel: String!) {
  channelProgram(channel: $channel) { ${PROGRAM_FIELDS} }
  commissionRules(channel: $channel) { ${RULE_FIELDS} }
}`;

const PROGRAM_UPDATE = `mutation ConsoleProgramUpdate($channel: String!, $input: ChannelProgramInput!) {
  channelProgramUpdate(channel: $channel, input: $input) {
    channelProgram { ${PROGRAM_FIELDS} }
    errors { field code message }
  }
}`;

const RULES_SET = `mutation ConsoleRulesSet($channel: String!, $rules: [CommissionRuleInput!]!) {
  commissionRulesSet(channel: $channel, rules: $rules) {
    rules { ${RULE_FIELDS} }
    errors { field code message index }
  }
}`;

export async function fetchProgram(client: GraphQLClient, channel: string): Promise<{ program: Program; rules: Rule[] }> {
  const data = await client.request<{ channelProgram: Program; commissionRules: Rule[] }>(PROGRAM, { channel });
  return { program: data.channelProgram, rules: data.commissionRules };
}

export async function updateProgram(
  client: GraphQLClient,
  channel: string,
  input: ProgramInput,
): Promise<{ program: Program | null; errors: MutationError[] }> {
  const data = await client.request<{
    channelProgramUpdate: { channelProgram: Program | null; errors: MutationError[] };
  }>(PROGRAM_UPDATE, { channel, input });
  return { program: data.channelProgramUpdate.channelProgram, errors: data.channelProgramUpdate.errors };
}

export async function setRules(
  client: GraphQLClient,
  channel: string,
  rules: RuleInput[],
): Promise<{ rules: Rule[] | null; errors: RuleError[] }> {
  const data = await client.request<{ commissionRulesSet: { rules: Rule[] | null; errors: RuleError[] } }>(
    RULES_SET,
    { channel, rules },
  );
  return data.commissionRulesSet;
}
