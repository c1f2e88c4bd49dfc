import { render } from "preact";

import { App } from "./App";
import "./styles/base.css";
import "./styles/forms.css";
import "./styles/content.css";
import "./styles/board.css";
import "./styles/dashboard.css";

const root = document.getElementById("app");
if (root) render(<App />, root);
