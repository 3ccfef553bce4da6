"""The chosen configurations fitted on train (or train+eval), measured on eval and test; liblinear and lbfgs.

    .venv/bin/python -m studies.ngram_baselines.final a:3:3:0.3:train   # tokeniser:n:min_df:C:fit_on
"""
import sys, time, json, numpy as np, scipy.sparse as sp
from studies.common import nb_r, splits
from studies.ngram_baselines.tokens import build, split_tokens
from sklearn.linear_model import LogisticRegression
data = splits()
y = {k: np.array(v[1]) for k, v in data.items()}
def run(tk, n, mdf, C, fit_on):
    toks = split_tokens(data, tk)
    t = time.time(); cv, X = build(toks, n, mdf, fit_on=fit_on); ft = time.time() - t
    yy = np.concatenate([y[s] for s in fit_on])
    r = nb_r(X, yy); R = sp.diags(r); Xr = X @ R
    Xte = cv.transform(toks["test"]) @ R
    out = dict(tok=tk, n=n, min_df=mdf, C=C, fit_on="+".join(fit_on), n_fit=X.shape[0], vocab=X.shape[1],
               feat_s=round(ft), r_absmax=float(np.abs(r).max()), r_absmean=float(np.abs(r).mean()))
    if fit_on == ("train",):
        Xev = cv.transform(toks["eval"]) @ R
    for solver in ["liblinear", "lbfgs"]:
        t = time.time()
        m = LogisticRegression(C=C, solver=solver, max_iter=2000, tol=1e-6 if solver == "lbfgs" else 1e-4).fit(Xr, yy)
        out[solver + "_fit_s"] = round(time.time() - t, 1)
        out[solver + "_test"] = round(float((m.predict(Xte) == y["test"]).mean()), 4)
        if fit_on == ("train",):
            out[solver + "_eval"] = round(float((m.predict(Xev) == y["eval"]).mean()), 4)
        if solver == "lbfgs":
            out["lbfgs_iter"] = int(m.n_iter_[0]); out["b"] = float(m.intercept_[0])
            out["w_absmax"] = float(np.abs(m.coef_).max())
            p = np.clip(m.predict_proba(Xr)[:, 1], 1e-12, 1 - 1e-12)
            out["lbfgs_train_meanloss"] = float(-np.mean(yy * np.log(p) + (1 - yy) * np.log(1 - p)))
            out["lbfgs_train_acc"] = float((m.predict(Xr) == yy).mean())
    print(json.dumps(out), flush=True)
for cfg in sys.argv[1:]:
    tk, n, mdf, C, fo = cfg.split(":")
    run(tk, int(n), int(mdf), float(C), tuple(fo.split("+")))
