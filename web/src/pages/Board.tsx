// A requisition's board: a column per stage, a card per application, moves on the cards.
import { useState } from "preact/hooks";

import {
  allPages,
  api,
  call,
  catalog,
  etagOfVersion,
  type Names,
  namesFrom,
  type Result,
  type Schemas,
  type User,
} from "../api";
import { MoveControls } from "../components/MoveControls";
import { LateScorecards } from "../components/Reminders";
import { Empty, Loaded, PageTitle } from "../components/Status";
import { daysSince, humanize, plural, STAGE_NAMES, type Stage, stageName } from "../format";
import { useLoad, useNow } from "../hooks";
import { can } from "../roles";
import { href } from "../router";

type Application = Schemas["ApplicationPublic"];
type Requisition = Schemas["RequisitionPublic"];

export interface Card {
  application: Application;
  etag: string;
}

interface BoardData {
  requisition: Requisition;
  cards: Card[];
  names: Map<number, string>;
  catalogNames: Names;
}

const COLUMNS = Object.keys(STAGE_NAMES) as Stage[];

/** Candidate names: the application carries only candidate_id; `GET /candidates?id=…` takes up
 * to 200 ids, so a board of any size costs one call per 200 candidates. */
export async function candidateNames(ids: number[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 200) {
    const chunk = unique.slice(i, i + 200);
    const result = await call(api().GET("/candidates", { params: { query: { id: chunk, limit: 200 } } }));
    if (result.ok) for (const c of result.data.items) names.set(c.id, c.name);
  }
  for (const id of unique) if (!names.has(id)) names.set(id, `Candidate ${id}`);
  return names;
}

async function loadBoard(id: number): Promise<Result<BoardData>> {
  const [requisition, applications, cat] = await Promise.all([
    call(api().GET("/requisitions/{requisition_id}", { params: { path: { requisition_id: id } } })),
    allPages((cursor) =>
      api().GET("/applications", {
        params: { query: { requisition_id: id, limit: 200, ...(cursor ? { cursor } : {}) } },
      }),
    ),
    catalog(),
  ]);
  if (!requisition.ok) return requisition;
  if (!applications.ok) return applications;
  const names = await candidateNames(applications.data.map((a) => a.candidate_id));
  // The list carries each application's version; its ETag is that version quoted.
  const cards = applications.data.map((application) => ({ application, etag: etagOfVersion(application.version) }));
  return {
    ok: true,
    response: requisition.response,
    data: { requisition: requisition.data, cards, names, catalogNames: namesFrom(cat) },
  };
}

export function Board({ id, user }: { id: number; user: User }) {
  const { load, set } = useLoad(() => loadBoard(id), [id]);
  const [announcement, setAnnouncement] = useState("");
  const now = useNow();
  const title = load.state === "ready" ? `Board: ${load.data.requisition.title}` : "Board";
  const mayMove = can.recruit(user.roles);

  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <Loaded load={load} what="the board">
        {(board) => {
          const update = (application: Application, etag: string) => {
            const before = board.cards.find((c) => c.application.id === application.id)?.application;
            const name = board.names.get(application.candidate_id) ?? "The candidate";
            // A moved card changes column and its buttons leave the DOM: say where it went.
            setAnnouncement(
              before && before.stage !== application.stage
                ? `${name} is now in ${stageName(application.stage)}.`
                : `${name}'s card is up to date.`,
            );
            set({
              ...board,
              cards: board.cards.map((c) => (c.application.id === application.id ? { application, etag } : c)),
            });
          };
          return (
            <>
              <p>
                {board.catalogNames.roleFamily(board.requisition.role_family)}, level {board.requisition.level} ·{" "}
                <span class={`badge badge-${board.requisition.status}`}>{humanize(board.requisition.status)}</span> ·{" "}
                {board.requisition.hires} of {board.requisition.headcount ?? 1} hired ·{" "}
                {plural(board.cards.length, "application")}
                {!mayMove && " · read only: moves are for recruiters and admins"}
              </p>
              <p role="status" class="board-status" data-testid="board-status">
                {announcement}
              </p>
              {board.cards.length === 0 && <Empty>No applications to this requisition yet.</Empty>}
              <div class="board" role="region" aria-label="Stages of the board" tabIndex={0}>
                {COLUMNS.map((stage) => {
                  const cards = board.cards.filter((c) => c.application.stage === stage);
                  return (
                    <section
                      class="column"
                      key={stage}
                      aria-labelledby={`col-${stage}`}
                      data-testid={`column-${stage}`}
                    >
                      <h2 id={`col-${stage}`}>
                        {stageName(stage)} <span class="count">({cards.length})</span>
                      </h2>
                      {cards.length === 0 ? (
                        <p class="empty">None</p>
                      ) : (
                        <ul class="cards">
                          {cards.map((card) => (
                            <li key={card.application.id}>
                              <ApplicationCard
                                card={card}
                                name={board.names.get(card.application.candidate_id) ?? "Candidate"}
                                now={now}
                                mayMove={mayMove}
                                onUpdate={update}
                              />
                            </li>
                          ))}
                        </ul>
                      )}
                    </section>
                  );
                })}
              </div>
            </>
          );
        }}
      </Loaded>
    </>
  );
}

function ApplicationCard(props: {
  card: Card;
  name: string;
  now: number;
  mayMove: boolean;
  onUpdate: (application: Application, etag: string) => void;
}) {
  const { application, etag } = props.card;
  const inStage = daysSince(application.stage_entered_at, props.now);
  const nameId = `card-${application.id}-name`;
  return (
    <article class="app-card" aria-labelledby={nameId} data-testid={`card-${application.id}`}>
      <h3 id={nameId} class="card-title">
        <a href={href.candidate(application.candidate_id)}>{props.name}</a>
      </h3>
      <p class="muted" data-testid="days-in-stage">
        {application.status === "active" ? `${plural(inStage, "day")} in stage` : `${humanize(application.status)}`}
      </p>
      <p>
        <a href={href.application(application.id)}>
          Application details<span class="visually-hidden"> of {props.name}</span>
        </a>
      </p>
      {props.mayMove && (
        <>
          <MoveControls
            application={application}
            etag={etag}
            idPrefix={`card-${application.id}`}
            onUpdate={props.onUpdate}
          />
          <LateScorecards applicationId={application.id} name={props.name} now={props.now} />
        </>
      )}
    </article>
  );
}
