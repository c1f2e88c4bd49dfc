// The requisitions, with their status; each opens its board.
import { useState } from "preact/hooks";

import { allPages, api, catalog, type Names, namesFrom, type Result, type Schemas } from "../api";
import { Empty, Loaded, PageTitle } from "../components/Status";
import { date, humanize } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import { TableWrap } from "../components/TableWrap";

type Status = Schemas["RequisitionStatus"];

interface Listing {
  requisitions: Schemas["RequisitionPublic"][];
  names: Names;
}
const STATUSES: Status[] = ["open", "on_hold", "filled", "cancelled"];

export function Requisitions() {
  const [status, setStatus] = useState<Status | "">("");
  const { load } = useLoad(async (): Promise<Result<Listing>> => {
    const [list, cat] = await Promise.all([
      allPages((cursor) =>
        api().GET("/requisitions", {
          params: { query: { limit: 200, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
      catalog(),
    ]);
    return list.ok ? { ...list, data: { requisitions: list.data, names: namesFrom(cat) } } : list;
  }, [status]);
  return (
    <>
      <PageTitle title="Requisitions">Requisitions</PageTitle>
      <div class="toolbar">
        <label for="status-filter">Status</label>
        <select id="status-filter" value={status} onChange={(e) => setStatus(e.currentTarget.value as Status | "")}>
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </div>
      <Loaded load={load} what="the requisitions">
        {({ requisitions, names }) =>
          requisitions.length === 0 ? (
            <Empty>No requisitions{status ? ` with status ${humanize(status)}` : ""}.</Empty>
          ) : (
            <TableWrap label="Requisitions">
              <table data-testid="requisitions">
                <caption class="visually-hidden">Requisitions, newest opening first</caption>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Role family</th>
                    <th scope="col">Level</th>
                    <th scope="col">Status</th>
                    <th scope="col">Hires</th>
                    <th scope="col">Opened</th>
                  </tr>
                </thead>
                <tbody>
                  {requisitions.map((r) => (
                    <tr key={r.id}>
                      <th scope="row">
                        <a href={href.board(r.id)}>{r.title}</a>
                      </th>
                      <td>{names.roleFamily(r.role_family)}</td>
                      <td>{r.level}</td>
                      <td>
                        <span class={`badge badge-${r.status}`}>{humanize(r.status)}</span>
                      </td>
                      <td>
                        {r.hires} of {r.headcount ?? 1}
                      </td>
                      <td>{date(r.opened_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Loaded>
    </>
  );
}
