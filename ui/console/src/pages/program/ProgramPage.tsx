/**
 * Program: the channel's distribution program. Settings (paid levels, after-sales window, binding policy,
 * withdrawal auto-approval and limits) and the commission rules (per level, product, category and
 * distributor kind), each saved on its own and validated by the server, whose refusals (two paid levels
 * at most, rates within 100 %...) are shown next to the field they are about.
 *
 * The channel is the address's own where the address serves one (Saleor's per-channel plugin route);
 * elsewhere (App mode, the sandbox) staff pick it from the shop's channels, and the page remembers the
 * pick for the browser tab.
 */
import { Box, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";

import { useDashboard } from "../../app/dashboard";
import { GraphQLFailure, type MutationError } from "../../app/graphql";
import { config, useClient, useT } from "../../app/hooks";
import { formatDateTime } from "../../app/i18n";
import { Empty, Failure, LoadingRows } from "../../components/states";
import { fetchChannels, fetchProgram, type Program, type ProgramChannel, type ProgramInput, type Rule, type RuleError, type RuleInput, setRules, updateProgram } from "./api";
import { messages } from "./messages";
import { RulesEditor } from "./RulesEditor";
import { NativeSelect, SettingsForm } from "./SettingsForm";

type Load =
  | { kind: "loading" }
  | { kind: "failed"; failure: GraphQLFailure }
  | { kind: "ready"; program: Program; rules: Rule[] };

type ChannelsLoad =
  | { kind: "loading" }
  | { kind: "failed"; failure: GraphQLFailure }
  | { kind: "ready"; channels: ProgramChannel[] };

const PICKED_KEY = "wd-program-channel";

function remembered(): string | null {
  try {
    return window.sessionStorage.getItem(PICKED_KEY);
  } catch {
    return null; // storage refused (a sandboxed frame): the pick lasts as long as the page
  }
}

function remember(channel: string) {
  try {
    window.sessionStorage.setItem(PICKED_KEY, channel);
  } catch {
    /* as above */
  }
}

export default function ProgramPage() {
  const t = useT(messages);
  const client = useClient();
  const { locale, notify } = useDashboard();
  const fixed = config.channel;
  const [channels, setChannels] = useState<ChannelsLoad>(
    fixed ? { kind: "ready", channels: [] } : { kind: "loading" },
  );
  const [channelReloads, setChannelReloads] = useState(0);
  const [picked, setPicked] = useState<string | null>(null);
  const channel = fixed ?? picked;
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    if (fixed) return;
    let current = true;
    setChannels({ kind: "loading" });
    fetchChannels(client).then(
      (list) => {
        if (!current) return;
        setChannels({ kind: "ready", channels: list });
        const previous = remembered();
        const first = list.find((c) => c.configured) ?? list[0];
        setPicked(list.some((c) => c.channel === previous) ? previous : (first?.channel ?? null));
      },
      (error: unknown) => current && setChannels({ kind: "failed", failure: asFailure(error) }),
    );
    return () => {
      current = false;
    };
  }, [client, fixed, channelReloads]);

  const pick = useCallback((value: string) => {
    remember(value);
    setPicked(value);
  }, []);

  useEffect(() => {
    if (!channel) return;
    let current = true;
    setLoad({ kind: "loading" });
    fetchProgram(client, channel).then(
      ({ program, rules }) => current && setLoad({ kind: "ready", program, rules }),
      (error: unknown) => current && setLoad({ kind: "failed", failure: asFailure(error) }),
    );
    return () => {
      current = false;
    };
  }, [client, channel, reloads]);

  const saveSettings = useCallback(
    async (input: ProgramInput): Promise<MutationError[]> => {
      if (!channel) return [];
      try {
        const result = await updateProgram(client, channel, input);
        if (result.errors.length || !result.program) {
          notify("error", t("settings.refused"), result.errors[0]?.message ?? undefined);
          return result.errors;
        }
        const program = result.program;
        setLoad((previous) => (previous.kind === "ready" ? { ...previous, program } : previous));
        notify("success", t("settings.saved"));
        return [];
      } catch (error) {
        setLoad({ kind: "failed", failure: asFailure(error) });
        return [];
      }
    },
    [client, channel, notify, t],
  );

  const saveRules = useCallback(
    async (rules: RuleInput[]): Promise<RuleError[]> => {
      if (!channel) return [];
      try {
        const result = await setRules(client, channel, rules);
        if (result.errors.length || !result.rules) {
          notify("error", t("rules.refused"), result.errors[0]?.message ?? undefined);
          return result.errors;
        }
        // the rules and the program's version, as the server has them now
        const fresh = await fetchProgram(client, channel);
        setLoad({ kind: "ready", ...fresh });
        notify("success", t("rules.saved"));
        return [];
      } catch (error) {
        setLoad({ kind: "failed", failure: asFailure(error) });
        return [];
      }
    },
    [client, channel, notify, t],
  );

  return (
    <Box display="flex" flexDirection="column" gap={5} data-testid="program-page">
      <Box display="flex" alignItems="baseline" gap={3} flexWrap="wrap">
        <Text as="h1" size={10} fontWeight="bold">
          {t("page.title")}
        </Text>
        {load.kind === "ready" ? (
          <Text size={5} color="default2" data-testid="program-version">
            {t("page.subtitle", { channel: load.program.channel, version: load.program.version })}
          </Text>
        ) : null}
      </Box>
      {!fixed && channels.kind === "loading" ? <LoadingRows rows={2} /> : null}
      {!fixed && channels.kind === "failed" ? (
        <Failure
          failure={channels.failure}
          permission="MANAGE_PLUGINS"
          onRetry={() => setChannelReloads((n) => n + 1)}
        />
      ) : null}
      {!fixed && channels.kind === "ready" && channels.channels.length === 0 ? (
        <Empty title={t("page.noChannels")} />
      ) : null}
      {!fixed && channels.kind === "ready" && channel ? (
        <Box display="flex" data-testid="program-channel-picker">
          <NativeSelect
            label={t("channel.label")}
            value={channel}
            testId="program-channel"
            onChange={pick}
            options={channels.channels.map((c) => [
              c.channel,
              [
                c.name === c.channel ? c.channel : `${c.name} (${c.channel})`,
                c.currency,
                c.configured ? "" : t("channel.notConfigured"),
                c.active ? "" : t("channel.inactive"),
              ]
                .filter(Boolean)
                .join(" · "),
            ])}
          />
        </Box>
      ) : null}
      {channel && load.kind === "loading" ? <LoadingRows rows={8} /> : null}
      {channel && load.kind === "failed" ? (
        <Failure failure={load.failure} permission="MANAGE_PLUGINS" onRetry={() => setReloads((n) => n + 1)} />
      ) : null}
      {channel && load.kind === "ready" ? (
        <>
          <Text color="default2" size={3} data-testid="program-updated">
            {load.program.version === 0
              ? t("page.never")
              : load.program.updatedAt
                ? t("page.updated", {
                    when: formatDateTime(load.program.updatedAt, locale),
                    who: load.program.updatedBy ?? "—",
                  })
                : ""}
          </Text>
          <RulesEditor key={`rules-${load.program.channel}`} rules={load.rules} currency={load.program.currency} channel={load.program.channel} onSave={saveRules} />
          <SettingsForm key={`settings-${load.program.channel}`} program={load.program} onSave={saveSettings} />
        </>
      ) : null}
    </Box>
  );
}

function asFailure(error: unknown): GraphQLFailure {
  return error instanceof GraphQLFailure ? error : new GraphQLFailure("server", String(error));
}
