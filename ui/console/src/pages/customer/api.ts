/** The customer widget's GraphQL: the customer's own distributor profile and bindings. */
import type { GraphQLClient } from "../../app/graphql";

export interface CustomerDistribution {
  distributor: {
    id: string;
    displayName: string;
    status: "PENDING" | "ACTIVE" | "SUSPENDED" | "REJECTED";
    referralCode: string;
    level: number;
    teamSize: number;
    createdAt: string;
    approvedAt: string | null;
  } | null;
  bindings: {
    channel: string;
    distributor: { id: string; displayName: string; referralCode: string };
    source: string | null;
    code: string;
    boundAt: string;
    expiresAt: string | null;
    isActive: boolean;
    throughWechat: boolean;
  }[];
}

export const CUSTOMER = `query ConsoleCustomerDistribution($customerId: ID!) {
  customerDistribution(customerId: $customerId) {
    distributor { id displayName status referralCode level teamSize createdAt approvedAt }
    bindings { channel distributor { id displayName referralCode } source code boundAt expiresAt isActive throughWechat }
  }
}`;

export async function fetchCustomer(client: GraphQLClient, customerId: string): Promise<CustomerDistribution> {
  const data = await client.request<{ customerDistribution: CustomerDistribution }>(CUSTOMER, { customerId });
  return data.customerDistribution;
}
