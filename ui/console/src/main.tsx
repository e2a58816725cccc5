import "@saleor/macaw-ui/style";
import "./console.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { Console } from "./app/Console";
import { DashboardProvider } from "./app/dashboard";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <DashboardProvider>
      <Console />
    </DashboardProvider>
  </StrictMode>,
);
