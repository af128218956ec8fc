/**
 * The add-on's script (our origin only, as the CSP requires). With third-party cookies blocked,
 * the frame inside Classroom has no session:
 * - in the frame, [data-add-on-popup] opens sign-in in a popup and waits for the popup's message:
 *   only from our own origin and from that popup, it trades the single-use token for the frame's
 *   own (partitioned) session and reloads;
 * - in the popup, [data-add-on-handoff] posts its token to the opener, addressed to our origin only,
 *   and closes.
 */
export const addOnScript = `
(function(){
  var TYPE='rosterbridge:add-on-handoff';
  var handoff=document.querySelector('[data-add-on-handoff]');
  if(handoff){
    var origin=handoff.getAttribute('data-origin');
    if(window.opener&&origin===location.origin){
      window.opener.postMessage({type:TYPE,token:handoff.getAttribute('data-token')},origin);
      window.close();
    }
    return;
  }
  var popup=null;
  var status=document.querySelector('[data-add-on-status]');
  function say(text){if(status)status.textContent=text;}
  document.addEventListener('click',function(e){
    var a=e.target&&e.target.closest?e.target.closest('a[data-add-on-popup]'):null;
    if(!a)return;
    popup=window.open(a.href,'rosterbridge-sign-in','popup,width=520,height=680');
    if(popup){e.preventDefault();say('Finish signing in in the window that opened.');}
  });
  window.addEventListener('message',function(e){
    if(e.origin!==location.origin||!popup||e.source!==popup)return;
    var d=e.data;
    if(!d||d.type!==TYPE||typeof d.token!=='string')return;
    popup=null;
    fetch('/classroom-add-on/session',{method:'POST',credentials:'same-origin',headers:{'Content-Type':'application/x-www-form-urlencoded'},body:'token='+encodeURIComponent(d.token)})
      .then(function(r){if(r.ok){location.reload();}else{return r.text().then(say);}})
      .catch(function(){say('Signing in did not finish. Choose Sign in with Google again.');});
  });
})();
`;
